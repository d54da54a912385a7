// Grafana's template variables replaced the way Grafana would, so dashboard queries can be parsed and run against
// a real Prometheus: every variable at "All", $__rate_interval as the rate window of the config.
import type { DgmonConfig } from '../../core/config.ts';

export function substituteVariables(expr: string, config: DgmonConfig, range = '1h'): string {
  return expr
    .replaceAll('$__rate_interval', config.intervals.rate)
    .replaceAll('$__range', range)
    .replaceAll('$cluster', '.*')
    .replaceAll('$node', '.+');
}
