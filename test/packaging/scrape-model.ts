// What labels a scraped series ends up with, for the generated ServiceMonitors/PodMonitors and raw scrape configs.
// There is no cluster here, so this follows the documented behaviour instead of running it:
// - prometheus-operator (pkg/prometheus/promcfg.go): a ServiceMonitor target starts with namespace, service, pod,
//   container, endpoint and job = the Service name (or the Service's jobLabel label); a PodMonitor target with
//   namespace, pod, container and job = "<namespace>/<PodMonitor name>"; the monitor's relabelings then run.
// - Prometheus relabelling: `replace` (the default action) joins source_labels with ";", matches the anchored regex
//   (default "(.*)") and writes the expanded replacement (default "$1") to target_label; `keep` drops the target
//   unless the joined value matches. Labels starting with "__" are dropped after relabelling.
// - honor_labels: a label present on both the target and the scraped series keeps the series' value when true; when
//   false the series' value moves to exported_<name> and the target's wins.

export interface Relabel {
  action?: string;
  sourceLabels?: string[];
  source_labels?: string[];
  regex?: string;
  targetLabel?: string;
  target_label?: string;
  replacement?: string;
  separator?: string;
}

/** Applies relabel rules; null when a keep/drop removed the target. */
export function relabel(labels: Record<string, string>, rules: Relabel[]): Record<string, string> | null {
  const out = { ...labels };
  for (const r of rules) {
    const action = r.action ?? 'replace';
    const sources = r.sourceLabels ?? r.source_labels ?? [];
    const value = sources.map((s) => out[s] ?? '').join(r.separator ?? ';');
    const match = new RegExp(`^(?:${r.regex ?? '(.*)'})$`).exec(value);
    if (action === 'keep' && !match) return null;
    if (action === 'drop' && match) return null;
    if (action === 'replace' && match) {
      const target = r.targetLabel ?? r.target_label!;
      const result = (r.replacement ?? '$1').replace(/\$\{?(\d+)\}?/g, (_, i) => match[Number(i)] ?? '');
      if (result === '') delete out[target];
      else out[target] = result;
    } else if (!['keep', 'drop', 'replace'].includes(action)) {
      throw new Error(`the model does not know relabel action ${action}`);
    }
  }
  for (const key of Object.keys(out)) if (key.startsWith('__')) delete out[key];
  return out;
}

/** The labels of one scraped series: target labels merged with the series' own under honor_labels. */
export function scrapedSeries(target: Record<string, string>, exposed: Record<string, string>, honorLabels: boolean): Record<string, string> {
  const out: Record<string, string> = { ...exposed };
  for (const [k, v] of Object.entries(target)) {
    if (!(k in exposed)) out[k] = v;
    else if (!honorLabels) {
      out[`exported_${k}`] = exposed[k]!;
      out[k] = v;
    }
  }
  for (const [k, v] of Object.entries(out)) if (v === '') delete out[k];
  return out;
}

export interface KubeTarget {
  namespace: string;
  service?: string;
  pod: string;
  container: string;
  port: string;
  address: string;
  serviceLabels?: Record<string, string>;
  podLabels?: Record<string, string>;
}

/** Service-discovery meta labels of a target, as kubernetes_sd role endpoints/pod set them. */
export function metaLabels(t: KubeTarget): Record<string, string> {
  const meta: Record<string, string> = {
    __address__: t.address,
    __meta_kubernetes_namespace: t.namespace,
    __meta_kubernetes_pod_name: t.pod,
    __meta_kubernetes_pod_container_name: t.container,
    __meta_kubernetes_pod_container_port_name: t.port,
    __meta_kubernetes_endpoint_port_name: t.port,
  };
  if (t.service) meta.__meta_kubernetes_service_name = t.service;
  for (const [k, v] of Object.entries(t.serviceLabels ?? {})) meta[`__meta_kubernetes_service_label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
  for (const [k, v] of Object.entries(t.podLabels ?? {})) meta[`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
  return meta;
}

/** Target labels prometheus-operator gives a ServiceMonitor or PodMonitor target before the monitor's relabelings. */
export function operatorTarget(kind: 'ServiceMonitor' | 'PodMonitor', monitorName: string, t: KubeTarget): Record<string, string> {
  return {
    ...metaLabels(t),
    instance: t.address,
    namespace: t.namespace,
    pod: t.pod,
    container: t.container,
    ...(kind === 'ServiceMonitor' ? { service: t.service!, endpoint: t.port, job: t.service! } : { job: `${t.namespace}/${monitorName}` }),
  };
}

/** Target labels of a raw scrape config before its relabel_configs. */
export function rawTarget(jobName: string, t: KubeTarget): Record<string, string> {
  return { ...metaLabels(t), instance: t.address, job: jobName };
}
