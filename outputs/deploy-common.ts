// What the deployment targets share: the names and ports of Deepgram's services as its Helm chart creates them, the
// exporter's port, and multi-document YAML. Chart facts are from deepgram/self-hosted-resources,
// charts/deepgram-self-hosted/templates/{api/api.deployment.yaml, api/api.service.yaml, engine/engine.service.yaml,
// license-proxy/license-proxy.service.yaml}.
import { scrapeJobs, type DgmonConfig, type ScrapeJobs } from '../core/config.ts';

export const DGMON_NAME = 'dgmon';

/** The port the exporter listens on, from exporter.listen. */
export function exporterPort(config: DgmonConfig): number {
  return Number(config.exporter.listen.slice(config.exporter.listen.lastIndexOf(':') + 1));
}

/** The Engine kinds of the chart's voice-agent mode (engine.service.yaml, agent.enabled), each with its Services. */
export const ENGINE_AGENT_TYPES = ['stt', 'tts', 'eot'] as const;

/** Deepgram's Kubernetes Services, named from the chart prefixes in config. */
export function deepgramServices(config: DgmonConfig) {
  const k = config.packaging.kubernetes;
  const ns = config.packaging.namespace;
  const api = `${k.apiPrefix}-external`;
  const licenseProxy = `${k.licenseProxyPrefix}-status`;
  return {
    // With agent.enabled the chart runs three Engine kinds, each with its own metrics Service
    // (<prefix>-stt-metrics, <prefix>-tts-metrics, <prefix>-eot-metrics) instead of <prefix>-metrics: match all.
    engine: { service: `${k.enginePrefix}-metrics`, serviceRegex: `${k.enginePrefix}(-(${ENGINE_AGENT_TYPES.join('|')}))?-metrics`, port: 'metrics' },
    // The API pods carry app=deepgram-api whatever the prefix; the Deployment is named after the prefix itself.
    api: { deployment: k.apiPrefix, service: api, port: 8080, podApp: 'deepgram-api', url: `http://${api}.${ns}.svc:8080` },
    licenseProxy: { service: licenseProxy, port: 'status', url: `http://${licenseProxy}.${ns}.svc:8080` },
  };
}

/**
 * dcgm-exporter run with --kubernetes labels each GPU with the namespace and pod of the Engine using it. Scraped
 * with honor_labels those labels win over the scrape's own (which name dcgm-exporter's pod); a config that expects
 * them renamed to exported_* (node.dcgm.podLabels) gets honor_labels off instead.
 */
export function dcgmHonorsLabels(config: DgmonConfig): boolean {
  return !config.node.dcgm.podLabels.every((l) => l.startsWith('exported_'));
}

/** The job names of the generated scrapes; a validated config always has all four (parseConfig checks them). */
export function jobsOf(config: DgmonConfig): ScrapeJobs {
  const { engine, dcgm, exporter, helmEngine } = scrapeJobs(config);
  if (engine === undefined || dcgm === undefined || exporter === undefined || helmEngine === undefined) {
    throw new Error('no scrape job name for every source: the config was not validated by parseConfig');
  }
  return { engine, dcgm, exporter, helmEngine };
}
