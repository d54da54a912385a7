// `dgmon verify`'s GPU ↔ Engine join check against a real Prometheus scraping Kubernetes label shapes (issue 23, the
// label-shape review): dcgm-exporter behind a ServiceMonitor without honorLabels (prometheus-operator's default)
// delivers the Engine pod as exported_namespace/exported_pod, the join yields nothing, and the check names the
// setting that fixes it; with that setting it passes, and a GPU no pod holds (keyed by dcgm-exporter's own pod) is
// reported as matching no Engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { checkGpuJoin, judgeGpuJoin } from '../../verify/prometheus.ts';
import { serve, type TestServer } from '../support/net.ts';

// What the two scrapes deliver after prometheus-operator's relabelling: the Engine's ServiceMonitor keeps its pod as
// namespace/pod; dcgm-exporter's pod labels (the Engine pod using each GPU) arrive renamed, and namespace/pod name
// the dcgm-exporter pod itself. GPU 1 is held by no pod: dcgm-exporter gives it no pod labels at all.
const ENGINE_TEXT = 'engine_estimated_stream_capacity{namespace="deepgram",pod="deepgram-engine-0"} 120\n';
const DCGM_TEXT = [
  'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-0",modelName="NVIDIA L4",Hostname="gpu-1",exported_namespace="deepgram",exported_pod="deepgram-engine-0",namespace="gpu-operator",pod="nvidia-dcgm-exporter-x7k2p"} 55',
  'DCGM_FI_DEV_GPU_TEMP{gpu="1",UUID="GPU-1",modelName="NVIDIA L4",Hostname="gpu-1",namespace="gpu-operator",pod="nvidia-dcgm-exporter-x7k2p"} 40',
  '',
].join('\n');

let server: TestServer;
let prometheus: PrometheusHandle;
beforeAll(async () => {
  server = await serve((req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(req.url === '/engine' ? ENGINE_TEXT : DCGM_TEXT));
  const target = server.url.replace('http://', '');
  prometheus = await startPrometheus({
    scrape: [
      { job: 'deepgram-engine', targets: [target], metricsPath: '/engine' },
      { job: 'dcgm-exporter', targets: [target], metricsPath: '/dcgm' },
    ],
  });
  await prometheus.waitFor('count(engine_estimated_stream_capacity) + count(DCGM_FI_DEV_GPU_TEMP)', (r) => r[0]?.value === 3, 30_000);
}, 60_000);
afterAll(async () => {
  await prometheus?.close();
  await server?.close();
});

const target = (raw: unknown) => ({ url: prometheus.url, timeoutMs: 10_000, config: parseConfig(raw) });

describe('join: gpu ↔ engine', () => {
  it('fails with the default pod labels and names node.dcgm.podLabels as the fix', async () => {
    const row = await checkGpuJoin(target({}));
    expect(row.status, row.detail).toBe('fail');
    expect(row.detail).toContain('the join yields nothing');
    expect(row.detail).toContain('Engine node keys: deepgram/deepgram-engine-0');
    expect(row.detail).toContain('Set node.dcgm.podLabels: [exported_namespace, exported_pod] in dgmon.yaml');
  });

  it('passes once node.dcgm.podLabels names the renamed labels, and reports the GPU no pod holds', async () => {
    const row = await checkGpuJoin(target({ node: { dcgm: { podLabels: ['exported_namespace', 'exported_pod'] } } }));
    expect(row.status, row.detail).toBe('pass');
    expect(row.detail).toContain('every Engine node (1) has GPU series under the same node key');
    // GPU 1 has no exported_* labels: keyed by the host part of instance (dcgm-exporter's own address).
    expect(row.detail).toMatch(/1 GPU node key\(s\) match no Engine \(127\.0\.0\.1\)/);
  });

  it('tells the missing --kubernetes flag from a host-label mismatch', () => {
    const config = parseConfig({});
    const kube = judgeGpuJoin({ engineNodes: ['dg/engine-0'], gpuNodes: ['10.0.0.7'], exportedPodLabels: false }, config);
    expect(kube.detail).toContain('run dcgm-exporter with --kubernetes');
    const hosts = judgeGpuJoin({ engineNodes: ['10.0.0.5'], gpuNodes: ['gpu-node-1'], exportedPodLabels: false }, config);
    expect(hosts.detail).toContain('set node.dcgm.hostLabel');
    const partial = judgeGpuJoin({ engineNodes: ['10.0.0.5', '10.0.0.6'], gpuNodes: ['10.0.0.5'], exportedPodLabels: false }, config);
    expect(partial.status).toBe('warn');
  });
});
