// The panel model: every panel of every generated dashboard is mapped (none dropped, each drawn by its own kind),
// laid out as Grafana lays it out, with its unit, thresholds, legend and queries; unknown types become placeholders.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseConfig } from '../../core/config.ts';
import { buildDashboards } from '../../dashboards/index.ts';
import { panelTargets } from '../../dashboards/queries.ts';
import { dashboardModel, fieldFor, layoutGrid, thresholdColor, DRAWN_TYPES, GRID_COLUMNS, type GridPos } from '../../preview/panels.ts';
import { fixtureDashboard, FIXTURE } from './fixture-dashboard.ts';

const config = parseConfig({});
const overlap = (a: GridPos, b: GridPos) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function expectValidLayout(grids: GridPos[]): void {
  for (const g of grids) {
    expect(g.x).toBeGreaterThanOrEqual(0);
    expect(g.x + g.w).toBeLessThanOrEqual(GRID_COLUMNS);
  }
  grids.forEach((a, i) => grids.slice(i + 1).forEach((b) => expect(overlap(a, b), `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`).toBe(false)));
}

describe('every generated dashboard', () => {
  for (const dashboard of buildDashboards(config)) {
    it(`${dashboard.uid}: every panel mapped, drawn by its kind, with its unit, thresholds and queries`, () => {
      const json = dashboard.json as { panels: { type: string; title: string; fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: unknown[] } } }; targets?: { expr: string; refId: string }[] }[] };
      const model = dashboardModel(dashboard.json, config, '1h');
      expect(model.uid).toBe(dashboard.uid);
      expect(model.panels.map((p) => p.title)).toEqual(json.panels.map((p) => p.title));
      model.panels.forEach((panel, i) => {
        const source = json.panels[i]!;
        expect(panel.kind, panel.title).toBe(source.type === 'row' ? 'row' : source.type);
        expect((DRAWN_TYPES as readonly string[]).concat('row')).toContain(panel.kind);
        if (panel.kind === 'row') return;
        expect(panel.unit, panel.title).toBe(source.fieldConfig?.defaults?.unit);
        expect(panel.thresholds.length, panel.title).toBe(source.fieldConfig?.defaults?.thresholds?.steps.length);
        expect(panel.targets, panel.title).toEqual(panelTargets(source, config, '1h'));
        expect(panel.targets.length, panel.title).toBe(source.targets?.length);
        for (const t of panel.targets) expect(t.expr).not.toMatch(/\$(node|cluster|__rate_interval|__range)\b/);
        if (panel.kind === 'timeseries') expect(panel.legend.show, panel.title).toBe(true);
      });
      expectValidLayout(model.panels.map((p) => p.grid));
      expect(model.rows).toBe(Math.max(...model.panels.map((p) => p.grid.y + p.grid.h)));
    });
  }
});

describe('layoutGrid', () => {
  it('moves a panel reaching past the 24th column left, then below what it would cover, as Grafana does', () => {
    // The fleet dashboard's shape: a 12-wide panel placed at x=18 next to a 6-wide stat.
    const grids = layoutGrid([
      { x: 0, y: 20, w: 12, h: 8 },
      { x: 12, y: 20, w: 6, h: 4 },
      { x: 18, y: 20, w: 12, h: 8 },
    ]);
    // Everything rises to the top when nothing is above it; the third panel lands under the stat.
    expect(grids).toEqual([
      { x: 0, y: 0, w: 12, h: 8 },
      { x: 12, y: 0, w: 6, h: 4 },
      { x: 12, y: 4, w: 12, h: 8 },
    ]);
  });

  it('never overlaps and never leaves the grid, whatever the positions', () => {
    const pos = fc.record({ x: fc.integer({ min: -3, max: 30 }), y: fc.integer({ min: -2, max: 60 }), w: fc.integer({ min: 0, max: 30 }), h: fc.integer({ min: 0, max: 12 }) });
    fc.assert(
      fc.property(fc.array(pos, { maxLength: 25 }), (positions) => {
        const grids = layoutGrid(positions);
        expect(grids).toHaveLength(positions.length);
        expectValidLayout(grids);
      }),
      { numRuns: 300 },
    );
  });
});

describe('panel model', () => {
  it('draws gauge, bar gauge and table panels and turns an unknown type into a placeholder', () => {
    const model = dashboardModel(fixtureDashboard(), config, '5m');
    const kind = (title: string) => model.panels.find((p) => p.title === title)?.kind;
    expect(kind(FIXTURE.gauge)).toBe('gauge');
    expect(kind(FIXTURE.bargauge)).toBe('bargauge');
    expect(kind(FIXTURE.table)).toBe('table');
    expect(kind(FIXTURE.piechart)).toBe('placeholder');
    expect(model.panels.find((p) => p.title === FIXTURE.piechart)?.type).toBe('piechart');
    expect(model.panels.find((p) => p.title === FIXTURE.table)?.colorMode).toBe('value');
    expect(model.panels.find((p) => p.title === FIXTURE.bargauge)?.orientation).toBe('horizontal');
    expect(model.panels.find((p) => p.title === FIXTURE.twoAxes)?.thresholdsStyle).toBe('line+area');
  });

  it('lays out the panels of a collapsed row after it, marked as such', () => {
    const json = {
      uid: 'x',
      title: 'x',
      panels: [
        { type: 'stat', title: 'top', gridPos: { x: 0, y: 0, w: 24, h: 4 } },
        { type: 'row', title: 'Details', collapsed: true, gridPos: { x: 0, y: 4, w: 24, h: 1 }, panels: [{ type: 'timeseries', title: 'hidden', gridPos: { x: 0, y: 30, w: 12, h: 8 } }] },
        { type: 'text', title: 'notes', gridPos: { x: 0, y: 5, w: 12, h: 3 } },
      ],
    };
    const model = dashboardModel(json, config, '1h');
    expect(model.panels.map((p) => [p.title, p.kind, p.collapsedRow])).toEqual([
      ['top', 'stat', undefined],
      ['Details', 'row', undefined],
      ['hidden', 'timeseries', 'Details'],
      ['notes', 'placeholder', undefined],
    ]);
    expectValidLayout(model.panels.map((p) => p.grid));
  });

  it('applies field overrides by query, name and regular expression', () => {
    const model = dashboardModel(fixtureDashboard(), config, '5m');
    const panel = model.panels.find((p) => p.title === FIXTURE.twoAxes)!;
    expect(fieldFor(panel, { refId: 'A', name: 'a' })).toMatchObject({ unit: 's', axisPlacement: 'auto' });
    expect(fieldFor(panel, { refId: 'B', name: 'b' })).toMatchObject({ unit: 'short', axisPlacement: 'right' });
    const named = { ...panel, overrides: [
      { matcher: { id: 'byName', options: 'engine-1' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }, { id: 'displayName', value: 'first' }] },
      { matcher: { id: 'byRegexp', options: '^engine-[23]$' }, properties: [{ id: 'decimals', value: 3 }, { id: 'thresholds', value: { mode: 'absolute', steps: [{ value: null, color: 'blue' }] } }] },
    ] };
    expect(fieldFor(named, { refId: 'A', name: 'engine-1' })).toMatchObject({ color: 'red', displayName: 'first', decimals: undefined });
    expect(fieldFor(named, { refId: 'A', name: 'engine-3' })).toMatchObject({ decimals: 3, thresholds: [{ value: null, color: 'blue' }] });
  });

  it('colours a value by the last threshold step at or below it, absolute or as a percentage of the range', () => {
    const steps = [{ value: null, color: 'green' }, { value: 0.5, color: 'orange' }, { value: 0.9, color: 'red' }];
    const field = { thresholds: steps, thresholdsMode: 'absolute' as const };
    expect([0.1, 0.5, 0.7, 0.95].map((v) => thresholdColor(field, v))).toEqual(['green', 'orange', 'orange', 'red']);
    expect(thresholdColor(field, null)).toBe('green');
    const percent = { thresholds: [{ value: null, color: 'green' }, { value: 80, color: 'red' }], thresholdsMode: 'percentage' as const, min: 0, max: 200 };
    expect([150, 170].map((v) => thresholdColor(percent, v))).toEqual(['green', 'red']);
  });
});
