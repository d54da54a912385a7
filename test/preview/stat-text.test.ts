// The stat's textMode, as the node dashboard uses it for state sets: each state in force is a cell with the number of
// selected nodes in it and the state's name under it; auto shows the value, and the names once there are several.
import { describe, it, expect } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { buildDashboards } from '../../dashboards/index.ts';
import { dashboardModel } from '../../preview/panels.ts';
import { statBody } from '../../preview/visuals.ts';
import type { PanelData } from '../../preview/evaluate.ts';

const node = buildDashboards(parseConfig({})).find((d) => d.uid === 'deepgram-node')!;
const model = dashboardModel(node.json, parseConfig({}), '5m');
const panel = (title: string) => model.panels.find((p) => p.title === title)!;
const one = (name: string, value: number): PanelData => ({ series: [{ refId: 'A', name, labels: {}, points: [[1, value]], instant: true }], errors: [] });
const size = { width: 300, height: 100 };
const bigText = (html: string) => [...html.matchAll(/class="stat-value"[^>]*>([^<]*)</g)].map((m) => m[1]);

describe('stat text mode', () => {
  it('shows each API state with the number of nodes in it, named, in neutral colour', () => {
    const p = panel('API system health');
    expect(p.textMode).toBe('value_and_name');
    expect(p.colorMode).toBe('none');
    const states: PanelData = { series: [...one('Healthy', 997).series, ...one('Degraded', 3).series], errors: [] };
    const html = statBody(p, states, size).html;
    expect(bigText(html)).toEqual(['997', '3']);
    expect([...html.matchAll(/class="stat-name"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['Healthy', 'Degraded']);
  });

  it('shows the value for a single series and names several in auto mode', () => {
    const p = panel('Engine connected');
    expect(p.textMode).toBe('auto');
    expect(statBody(p, one('engine-1', 1), size).html).not.toContain('stat-name');
    const two: PanelData = { series: [...one('a', 1).series, ...one('b', 0).series], errors: [] };
    const html = statBody(p, two, size).html;
    expect(html.match(/class="stat-name"/g)?.length).toBe(2);
    expect(bigText(html)).not.toContain('a');
  });
});
