// The CI smoke test of `dgmon preview`: the scripted run, shortened (simulated nodes behind exporters, a real
// Prometheus with the generated rules, healthy then faulty), rendering one dashboard through real Chromium. The
// PNG must be the page's size and a real picture, every panel must show data, and index.html must list it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPreview, type PreviewResult } from '../../preview/index.ts';
import { GRID_GAP_PX, GRID_ROW_PX, dashboardModel } from '../../preview/panels.ts';
import { buildDashboards } from '../../dashboards/index.ts';
import { timeScaledConfig } from '../../simulator/time-scaled.ts';
import { decodePng, distinctColors, pixelsNear, pngSize } from '../support/png.ts';
import { ensureTools } from '../support/tools.ts';

const UID = 'deepgram-gpu';
let out: string;
let result: PreviewResult;

beforeAll(async () => {
  ensureTools(['prometheus', 'chromium']);
  out = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-preview-'));
  result = await runPreview({ out, dashboards: [UID], script: { healthySeconds: 8, faultSeconds: 8 } });
}, 90_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('dgmon preview, scripted run, one dashboard', () => {
  it('writes one PNG of the page size, a real picture', () => {
    expect(readdirSync(out).sort()).toEqual(['deepgram-gpu.png', 'index.html']);
    const file = readFileSync(join(out, `${UID}.png`));
    const size = pngSize(file);
    expect(size.width).toBe(1600);
    expect(size).toEqual({ width: result.files[0]!.width, height: result.files[0]!.height });
    const dashboard = buildDashboards(timeScaledConfig()).find((d) => d.uid === UID)!;
    const rows = dashboardModel(dashboard.json, timeScaledConfig(), '1m').rows;
    const grid = rows * GRID_ROW_PX + (rows - 1) * GRID_GAP_PX;
    expect(size.height).toBeGreaterThan(grid);
    expect(size.height).toBeLessThan(grid + 250);
    const png = decodePng(file);
    expect(distinctColors(png)).toBeGreaterThan(500);
  });

  it('shows data in every panel, no failed query, and the fault marked on the time series', () => {
    const [file] = result.files;
    const png = decodePng(readFileSync(file!.path));
    expect(file!.panels).toHaveLength(13);
    for (const panel of file!.panels) {
      expect(panel.text, panel.text.split('\n')[0]).not.toMatch(/No data|⚠/);
      if (panel.kind === 'timeseries') expect(pixelsNear(png, '#00D3FF', panel, 30), panel.text.split('\n')[0]).toBeGreaterThan(20);
    }
  });

  it('lists the picture in index.html with its title', () => {
    const index = readFileSync(result.index, 'utf8');
    expect(result.index).toBe(join(out, 'index.html'));
    expect(index).toContain('href="deepgram-gpu.png"');
    expect(index).toContain('<img src="deepgram-gpu.png"');
    expect(index).toContain('Deepgram / GPUs');
    expect(index).not.toContain('deepgram-fleet');
  });
});
