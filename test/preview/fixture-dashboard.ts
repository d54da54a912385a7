// A dashboard of the panel types dgmon's own dashboards do not use yet (gauge, bar gauge, table), one the preview
// does not draw (pie chart), a stat without data, a failing query and a two-axis time series, built with the same
// SDK builders. Its queries need no scraped data: vector() and label_replace() give known values at any time.
import { DashboardBuilder, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { TableCellDisplayMode, VizOrientation } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as GaugeBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as BarGaugeBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as PieChartBuilder } from '@grafana/grafana-foundation-sdk/piechart';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { VizLegendOptionsBuilder, LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder as PromQuery } from '@grafana/grafana-foundation-sdk/prometheus';

/** One series per (label, value) pair: `label_replace(vector(v), label, value…)`, joined with `or`. */
export function labelled(label: string, rows: [string, number][]): string {
  return rows.map(([value, v]) => `label_replace(vector(${v}), "${label}", "${value}", "", "")`).join(' or ');
}

const steps = (...s: { value: number | null; color: string }[]) => new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(s as { value: number; color: string }[]);
const instant = (expr: string, legend = '', refId = 'A') => new PromQuery().expr(expr).legendFormat(legend).refId(refId).instant();
const range = (expr: string, legend = '', refId = 'A') => new PromQuery().expr(expr).legendFormat(legend).refId(refId).range();
const reduceLast = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']);

/** Titles, for finding each panel in the rendered page. */
export const FIXTURE = {
  gauge: 'Gauge: 70 % against 50/90',
  bargauge: 'Bar gauge: two GPUs',
  table: 'Table: nodes and states',
  piechart: 'A pie chart',
  nodata: 'Stat without data',
  failing: 'Failing query',
  twoAxes: 'Two axes with bands',
} as const;

export function fixtureDashboard(): Record<string, unknown> {
  return new DashboardBuilder('Preview fixture')
    .uid('preview-fixture')
    .time({ from: 'now-5m', to: 'now' })
    .withPanel(
      new GaugeBuilder().title(FIXTURE.gauge).unit('percentunit').min(0).max(1).height(7).span(6).reduceOptions(reduceLast())
        .thresholds(steps({ value: null, color: 'green' }, { value: 0.5, color: 'orange' }, { value: 0.9, color: 'red' }))
        .withTarget(instant('vector(0.7)')),
    )
    .withPanel(
      new BarGaugeBuilder().title(FIXTURE.bargauge).unit('percent').min(0).max(100).height(7).span(6).orientation(VizOrientation.Horizontal).reduceOptions(reduceLast())
        .thresholds(steps({ value: null, color: 'green' }, { value: 90, color: 'red' }))
        .withTarget(instant(labelled('gpu', [['0', 30], ['1', 95]]), 'GPU {{gpu}}')),
    )
    .withPanel(
      new TableBuilder().title(FIXTURE.table).unit('short').height(7).span(12).cellOptions({ type: TableCellDisplayMode.ColorText })
        .thresholds(steps({ value: null, color: 'green' }, { value: 40, color: 'red' }))
        .withTarget(instant(`label_replace(${labelled('node', [['engine-1', 42], ['engine-2', 7]])}, "state", "Healthy", "", "")`, '{{node}}')),
    )
    .withPanel(new PieChartBuilder().title(FIXTURE.piechart).height(6).span(6).withTarget(instant('vector(1)')))
    .withPanel(new StatBuilder().title(FIXTURE.nodata).unit('s').height(6).span(6).reduceOptions(reduceLast()).withTarget(instant('dgmon_preview_fixture_absent_metric')))
    .withPanel(new TimeseriesBuilder().title(FIXTURE.failing).unit('short').height(6).span(12).withTarget(range('sum(', '', 'A')))
    .withPanel(
      new TimeseriesBuilder().title(FIXTURE.twoAxes).unit('s').min(0).height(9).span(24)
        .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs(['max']))
        .thresholds(steps({ value: null, color: 'green' }, { value: 40, color: 'red' }))
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.LineAndArea))
        .withTarget(range('vector(time() % 60)', 'seconds into the minute', 'A'))
        .withTarget(range('vector(3)', 'three', 'B'))
        .overrideByQuery('B', [{ id: 'unit', value: 'short' }, { id: 'custom.axisPlacement', value: 'right' }]),
    )
    .build() as unknown as Record<string, unknown>;
}
