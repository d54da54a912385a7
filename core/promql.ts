// Small PromQL builders, so rules and dashboards read as what they compute rather than as string templates.
// Everything that depends on the user's setup (selectors, cluster and node labels) is in `Promql`, built from config.
import type { DgmonConfig } from './config.ts';
import { splitMatchers } from './matchers.ts';
import { DCGM_BLANK_SENTINEL_MIN } from './catalog/index.ts';

/** `metric{m1,m2}`; empty matcher strings are skipped. */
export function selector(metric: string, ...matchers: string[]): string {
  const parts = matchers.flatMap(splitMatchers).map((m) => m.trim()).filter((m) => m !== '');
  return parts.length ? `${metric}{${parts.join(', ')}}` : metric;
}

export const rate = (expr: string, window: string) => `rate(${expr}[${window}])`;
export const increase = (expr: string, window: string) => `increase(${expr}[${window}])`;
export const changes = (expr: string, window: string) => `changes(${expr}[${window}])`;
export const by = (op: string, labels: readonly string[], expr: string) => `${op} by (${labels.join(', ')}) (${expr})`;
export const without = (op: string, labels: readonly string[], expr: string) => `${op} without (${labels.join(', ')}) (${expr})`;
export const sumBy = (labels: readonly string[], expr: string) => by('sum', labels, expr);
export const maxBy = (labels: readonly string[], expr: string) => by('max', labels, expr);
export const quantile = (q: number, labels: readonly string[], bucketRate: string) =>
  `histogram_quantile(${q}, ${sumBy([...labels, 'le'], bucketRate)})`;

/** Renders a number the way a PromQL literal and a human both read it (0.05, 14.4, 1e+18 → 1e18). */
export function num(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 1e15 ? n.toExponential().replace('e+', 'e') : String(n);
}

/**
 * A matcher for a histogram bucket bound that accepts the Engine's spelling (`0.4`, `1.0`) and Prometheus 3's
 * normalised one (`1`), so SLO queries keep working across Prometheus versions.
 */
export function leMatcher(bound: number): string {
  const [int, frac = ''] = String(bound).split('.');
  const fraction = frac === '' ? '(\\\\.0+)?' : `\\\\.${frac}0*`;
  return `le=~"${int}${fraction}"`;
}

/** `a == v1 or a == v2 …`: keeps series whose value is one of `values`. */
export function valueIn(expr: string, values: readonly number[]): string {
  return values.map((v) => `${expr} == ${num(v)}`).join(' or ');
}

export class Promql {
  readonly cluster: string;
  readonly node: string;
  /** Labels every fleet-level rule keeps. */
  readonly clusterBy: readonly string[];
  /** Labels every per-node rule keeps. */
  readonly nodeBy: readonly string[];
  /** Labels every per-GPU rule keeps: enough to name the GPU in an alert, MIG instances apart. */
  readonly gpuBy: readonly string[];

  constructor(readonly config: DgmonConfig) {
    this.cluster = config.cluster.label;
    this.node = config.node.label;
    this.clusterBy = [this.cluster];
    this.nodeBy = [this.cluster, this.node];
    this.gpuBy = [this.cluster, this.node, 'gpu', 'UUID', 'modelName', 'GPU_I_PROFILE', 'GPU_I_ID'];
  }

  engine(metric: string, ...matchers: string[]): string {
    return selector(metric, this.config.selectors.engine, ...matchers);
  }
  dcgm(metric: string, ...matchers: string[]): string {
    return selector(metric, this.config.selectors.dcgm, ...matchers);
  }
  exporter(metric: string, ...matchers: string[]): string {
    return selector(metric, this.config.selectors.exporter, ...matchers);
  }
  clients(metric: string, ...matchers: string[]): string {
    return selector(metric, this.config.selectors.clients, ...matchers);
  }

  /**
   * The node key label added to a per-target expression, with the helper label dgmon_pod_key still on it: for use
   * inside an aggregation `by` the node labels (byNode, perGpu), which drops the helper. Off Kubernetes the key is
   * the host part of the host label ("10.0.0.5:9991" → "10.0.0.5"); where the pod labels are both set it is
   * "<namespace>/<pod>" instead, which is what dcgm-exporter's pod mapping and the Engine's scrape labels have in
   * common on Kubernetes. DCGM series first get the newer lowercase `hostname` copied into `Hostname`, so one label
   * name works for every dcgm-exporter release. Three label functions per series (four for DCGM): every rule over
   * raw series pays them at every evaluation (and a range query at every step), so there are no more than needed.
   */
  private nodeKey(expr: string, source: 'engine' | 'dcgm' | 'exporter'): string {
    const settings = source === 'dcgm' ? this.config.node.dcgm : this.config.node.engine;
    const [ns, pod] = settings.podLabels as [string, string];
    const host = settings.hostLabel;
    const L = this.node;
    const input = source === 'dcgm' ? `label_replace(${expr}, "Hostname", "$1", "hostname", "(.+)")` : expr;
    // The host key (the whole value, less a trailing port), then "<namespace>/<pod>" where both are non-empty.
    return [
      `label_replace(`,
      `  label_join(`,
      `    label_replace(`,
      `      ${input.replace(/\n/g, '\n      ')},`,
      `      "${L}", "$1", "${host}", "(.*?)(?::[0-9]+)?"`,
      `    ),`,
      `    "${NODE_KEY_HELPER}", "/", "${ns}", "${pod}"`,
      `  ),`,
      `  "${L}", "$1", "${NODE_KEY_HELPER}", "(.+/.+)"`,
      `)`,
    ].join('\n');
  }

  /** Every series of a per-target expression, not aggregated, with its node label added (the helper label dropped). */
  withNode(expr: string, source: 'engine' | 'dcgm' | 'exporter'): string {
    return without('max', [NODE_KEY_HELPER], this.nodeKey(expr, source));
  }

  /** `op by (labels) (expr)` over a per-target expression given its node key (labels name the node labels). */
  byNode(op: 'sum' | 'max', labels: readonly string[], expr: string, source: 'engine' | 'dcgm' | 'exporter'): string {
    return by(op, labels, this.nodeKey(expr, source));
  }

  /** A DCGM field with its blank sentinels (values ≥ 9.2e18 meaning "no reading") dropped. */
  dcgmWithoutBlanks(metric: string, ...matchers: string[]): string {
    return `${this.dcgm(metric, ...matchers)} < ${num(DCGM_BLANK_SENTINEL_MIN)}`;
  }

  /**
   * One series per GPU from a DCGM expression whose blank sentinels are already handled: the node key added, `max by`
   * the GPU labels (and `extraBy`).
   */
  perGpu(expr: string, extraBy: readonly string[] = []): string {
    return this.byNode('max', [...this.gpuBy, ...extraBy], expr, 'dcgm');
  }
}

/** The label nodeKey() builds the Kubernetes pod key in; aggregations drop it again. */
export const NODE_KEY_HELPER = 'dgmon_pod_key';
