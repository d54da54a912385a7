// The drawing, through real headless Chromium: the fixture dashboard (gauge, bar gauge, table, an unknown type, no
// data, a failing query, a two-axis time series with threshold bands) evaluated against a real Prometheus and
// screenshotted; each panel is found in the page and its pixels and text checked.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { dashboardModel } from '../../preview/panels.ts';
import { evaluateTargets } from '../../preview/evaluate.ts';
import { dashboardPage } from '../../preview/page.ts';
import { openRenderer, BrowserError, type Renderer, type Rendered, type PanelBox } from '../../preview/render.ts';
import { cssColor, seriesColor } from '../../preview/theme.ts';
import { decodePng, distinctColors, pixelsNear, type Png } from '../support/png.ts';
import { ensureTools } from '../support/tools.ts';
import { fixtureDashboard, FIXTURE } from './fixture-dashboard.ts';

const WIDTH = 1600;
let prometheus: PrometheusHandle;
let renderer: Renderer;
let shot: Rendered;
let png: Png;
let annotationAt: number;

beforeAll(async () => {
  ensureTools(['prometheus', 'chromium']);
  prometheus = await startPrometheus({ scrape: [] });
  renderer = await openRenderer();
  const config = parseConfig({});
  const end = Math.floor(Date.now() / 1000);
  const range = { start: end - 300, end, step: 5 };
  annotationAt = end - 120;
  const model = dashboardModel(fixtureDashboard(), config, '5m');
  const data = await Promise.all(model.panels.map((p) => evaluateTargets(p.targets, prometheus, range)));
  shot = await renderer.render(dashboardPage(model, data, { range, width: WIDTH, source: 'test', annotations: [{ time: annotationAt, text: 'a fault' }] }), WIDTH);
  png = decodePng(shot.png);
});

afterAll(async () => {
  await renderer?.close();
  await prometheus?.close();
});

function panel(title: string): PanelBox {
  const found = shot.panels.find((p) => p.text.startsWith(title));
  expect(found, `panel ${title}`).toBeDefined();
  return found!;
}

describe('rendering in headless Chromium', () => {
  it('writes a PNG of the page width, with the picture in it', () => {
    expect(shot.width).toBe(WIDTH);
    expect(png.width).toBe(WIDTH);
    expect(png.height).toBe(shot.height);
    // The grid is 22 rows of 30 px and 21 gaps of 8 px under a header.
    expect(png.height).toBeGreaterThan(22 * 30 + 21 * 8);
    expect(distinctColors(png)).toBeGreaterThan(200);
    expect(shot.panels).toHaveLength(7);
  });

  it('draws the gauge in its threshold colour with the value', () => {
    const box = panel(FIXTURE.gauge);
    expect(box.kind).toBe('gauge');
    expect(box.text).toContain('70%');
    expect(pixelsNear(png, cssColor('orange'), box)).toBeGreaterThan(500);
    expect(pixelsNear(png, cssColor('red'), box)).toBeGreaterThan(20); // the threshold ring's last step
  });

  it('draws one bar per series, coloured by its thresholds, with names and values', () => {
    const box = panel(FIXTURE.bargauge);
    expect(box.kind).toBe('bargauge');
    for (const text of ['GPU 0', 'GPU 1', '30%', '95%']) expect(box.text).toContain(text);
    expect(pixelsNear(png, cssColor('green'), box)).toBeGreaterThan(300);
    expect(pixelsNear(png, cssColor('red'), box)).toBeGreaterThan(1000);
  });

  it('draws a table with a column per label and the values coloured', () => {
    const box = panel(FIXTURE.table);
    expect(box.kind).toBe('table');
    for (const text of ['node', 'state', 'Value', 'engine-1', 'engine-2', 'Healthy', '42', '7']) expect(box.text).toContain(text);
    // 42 is over the threshold (red text), 7 under it (green text): small glyphs, so a few pixels each.
    expect(pixelsNear(png, cssColor('red'), box, 30)).toBeGreaterThan(5);
    expect(pixelsNear(png, cssColor('green'), box, 30)).toBeGreaterThan(5);
  });

  it('shows a type it does not draw as a labelled placeholder', () => {
    const box = panel(FIXTURE.piechart);
    expect(box.kind).toBe('placeholder');
    expect(box.text).toContain('piechart');
    expect(box.text).toContain('not drawn by dgmon preview');
    expect(box.text).toContain('vector(1)');
  });

  it('says "No data" and shows a failed query in its panel', () => {
    expect(panel(FIXTURE.nodata).text).toContain('No data');
    const failing = panel(FIXTURE.failing);
    expect(failing.text).toMatch(/A: HTTP 400 bad_data: .*parse error/);
    expect(pixelsNear(png, cssColor('red'), failing)).toBeGreaterThan(50);
  });

  it('draws a time series on two axes, with its legend, threshold line and band and the annotation', () => {
    const box = panel(FIXTURE.twoAxes);
    expect(box.kind).toBe('timeseries');
    expect(box.text).toContain('seconds into the minute');
    expect(box.text).toContain('Max: ');
    // Both series' colours are drawn, and the threshold colour (line and band), and the annotation mark.
    expect(pixelsNear(png, seriesColor(0), box, 20)).toBeGreaterThan(200);
    expect(pixelsNear(png, seriesColor(1), box, 20)).toBeGreaterThan(200);
    expect(pixelsNear(png, cssColor('red'), box, 20)).toBeGreaterThan(200);
    expect(pixelsNear(png, '#00D3FF', box, 30)).toBeGreaterThan(50);
    expect(distinctColors(png, box)).toBeGreaterThan(100);
  });
});

describe('without Chromium', () => {
  it('names the Debian package to install', async () => {
    const err = await openRenderer('/nonexistent/chromium').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrowserError);
    expect((err as Error).message).toMatch(/Chromium not found at \/nonexistent\/chromium.*Debian package chromium/);
  });
});
