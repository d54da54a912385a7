// promtool `promql_expr_test` checks of the GPU recording rules (alerts/recording/gpu.ts): DCGM's units converted once
// (% → ratio, MiB → bytes, MHz → Hz), the MIG fallback, blank sentinels dropped, Hostname/hostname both accepted, and
// the node key that joins GPU series to the Engine, on a host and on Kubernetes. Expected series are written by hand.
import { describe, it, expect } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { alertContext } from '../../alerts/index.ts';
import { defaultConfig, promtoolTestRules, type PromtoolCase, type Series } from '../support/promtool.ts';

const DCGM = 'job="dcgm-exporter",instance="10.0.0.5:9400"';
const SENTINEL = '9223372036854775794';
const MIB = 1048576;

const A100_UUID = 'GPU-5a1c3f6e-8d2b-4f7a-9c41-2e6b7d0f9a13';
// Released dcgm-exporter builds: Hostname.
const A100 = `gpu="0",UUID="${A100_UUID}",pci_bus_id="00000000:07:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",Hostname="gpu-node-1"`;
const L4_UUID = 'GPU-fc60126e-514d-3522-2828-c5daa8e99d85';
// Newer builds: hostname.
const L4 = `gpu="1",UUID="${L4_UUID}",pci_bus_id="00000000:B1:00.0",device="nvidia1",modelName="NVIDIA L4",hostname="gpu-node-2"`;
const MIG_UUID = 'GPU-63bc0b91-2265-1b94-831c-15c41fe92675';
const MIG = `gpu="2",UUID="${MIG_UUID}",pci_bus_id="00000000:CA:00.0",device="nvidia2",modelName="NVIDIA A100-SXM4-40GB",GPU_I_PROFILE="1g.5gb",GPU_I_ID="7",Hostname="gpu-node-1"`;

// The labels every recorded per-GPU series keeps, for the GPUs above on host 10.0.0.5.
const A100_KEY = `UUID="${A100_UUID}",gpu="0",modelName="NVIDIA A100-SXM4-80GB",node="10.0.0.5"`;
const L4_KEY = `UUID="${L4_UUID}",gpu="1",modelName="NVIDIA L4",node="10.0.0.5"`;
const MIG_KEY = `UUID="${MIG_UUID}",gpu="2",modelName="NVIDIA A100-SXM4-40GB",GPU_I_PROFILE="1g.5gb",GPU_I_ID="7",node="10.0.0.5"`;

const dcgm = (metric: string, gpu: string, values: string, target = DCGM): Series => ({ series: `${metric}{${target},${gpu}}`, values });

function check(name: string, c: Omit<PromtoolCase, 'name'>, config = defaultConfig()): void {
  it(name, () => {
    const result = promtoolTestRules(config, [{ name, ...c }]);
    expect(result.code, result.output).toBe(0);
  });
}

describe('GPU recording rules', () => {
  check('busy ratio from DCGM_FI_DEV_GPU_UTIL percent, GR_ENGINE_ACTIVE for MIG instances', {
    input: [
      dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '87x10'),
      // Both fields for a full GPU: the utilisation wins.
      dcgm('DCGM_FI_PROF_GR_ENGINE_ACTIVE', A100, '0.8x10'),
      dcgm('DCGM_FI_DEV_GPU_UTIL', L4, '30x10'),
      // A MIG instance has no DCGM_FI_DEV_GPU_UTIL.
      dcgm('DCGM_FI_PROF_GR_ENGINE_ACTIVE', MIG, '0.35x10'),
    ],
    exprs: [
      {
        at: '5m',
        expr: 'node_gpu:dcgm_gpu_busy:ratio',
        expect: [
          { labels: `node_gpu:dcgm_gpu_busy:ratio{${A100_KEY}}`, value: 0.87 },
          { labels: `node_gpu:dcgm_gpu_busy:ratio{${L4_KEY}}`, value: 0.3 },
          { labels: `node_gpu:dcgm_gpu_busy:ratio{${MIG_KEY}}`, value: 0.35 },
        ],
      },
    ],
  });

  check('framebuffer MiB to bytes, total = free + used + reserved', {
    input: [
      dcgm('DCGM_FI_DEV_FB_USED', A100, '30000x10'),
      dcgm('DCGM_FI_DEV_FB_FREE', A100, '50000x10'),
      dcgm('DCGM_FI_DEV_FB_RESERVED', A100, '1920x10'),
      // Older builds export no reserved memory: it counts as 0.
      dcgm('DCGM_FI_DEV_FB_USED', L4, '15000x10'),
      dcgm('DCGM_FI_DEV_FB_FREE', L4, '1000x10'),
    ],
    exprs: [
      {
        at: '5m',
        expr: 'node_gpu:dcgm_framebuffer_used:bytes',
        expect: [
          { labels: `node_gpu:dcgm_framebuffer_used:bytes{${A100_KEY}}`, value: 30000 * MIB },
          { labels: `node_gpu:dcgm_framebuffer_used:bytes{${L4_KEY}}`, value: 15000 * MIB },
        ],
      },
      {
        at: '5m',
        expr: 'node_gpu:dcgm_framebuffer_total:bytes',
        expect: [
          { labels: `node_gpu:dcgm_framebuffer_total:bytes{${A100_KEY}}`, value: 81920 * MIB },
          { labels: `node_gpu:dcgm_framebuffer_total:bytes{${L4_KEY}}`, value: 16000 * MIB },
        ],
      },
      {
        at: '5m',
        expr: 'node_gpu:dcgm_framebuffer_used:ratio',
        expect: [
          { labels: `node_gpu:dcgm_framebuffer_used:ratio{${A100_KEY}}`, value: 0.3662109375 },
          { labels: `node_gpu:dcgm_framebuffer_used:ratio{${L4_KEY}}`, value: 0.9375 },
        ],
      },
    ],
  });

  check('temperature, power and SM clock in base units; blank sentinels dropped', {
    input: [
      dcgm('DCGM_FI_DEV_GPU_TEMP', A100, '61x10'),
      dcgm('DCGM_FI_DEV_GPU_TEMP', L4, `${SENTINEL}x10`),
      dcgm('DCGM_FI_DEV_POWER_USAGE', A100, '312.5x10'),
      dcgm('DCGM_FI_DEV_POWER_USAGE', L4, `${SENTINEL}x10`),
      dcgm('DCGM_FI_DEV_SM_CLOCK', A100, '1410x10'),
      dcgm('DCGM_FI_DEV_GPU_UTIL', L4, `${SENTINEL}x10`),
      dcgm('DCGM_FI_DEV_FB_USED', L4, `${SENTINEL}x10`),
      dcgm('DCGM_FI_DEV_FB_FREE', L4, '1000x10'),
    ],
    exprs: [
      { at: '5m', expr: 'node_gpu:dcgm_gpu_temperature:celsius', expect: [{ labels: `node_gpu:dcgm_gpu_temperature:celsius{${A100_KEY}}`, value: 61 }] },
      { at: '5m', expr: 'node_gpu:dcgm_power_usage:watts', expect: [{ labels: `node_gpu:dcgm_power_usage:watts{${A100_KEY}}`, value: 312.5 }] },
      { at: '5m', expr: 'node_gpu:dcgm_sm_clock:hertz', expect: [{ labels: `node_gpu:dcgm_sm_clock:hertz{${A100_KEY}}`, value: 1.41e9 }] },
      { at: '5m', expr: 'node_gpu:dcgm_gpu_busy:ratio', expect: [] },
      { at: '5m', expr: 'node_gpu:dcgm_framebuffer_used:ratio', expect: [] },
    ],
  });

  check('last Xid as one series per GPU, err_code and err_msg aggregated away', {
    input: [
      { series: `DCGM_FI_DEV_XID_ERRORS{${DCGM},${A100},err_code="0",err_msg="Unknown Error"}`, values: '0x4 stale' },
      { series: `DCGM_FI_DEV_XID_ERRORS{${DCGM},${A100},err_code="79",err_msg="GPU has fallen off the bus"}`, values: '_x5 79x5' },
    ],
    exprs: [
      { at: '3m', expr: 'node_gpu:dcgm_xid_errors:last', expect: [{ labels: `node_gpu:dcgm_xid_errors:last{${A100_KEY}}`, value: 0 }] },
      { at: '8m', expr: 'node_gpu:dcgm_xid_errors:last', expect: [{ labels: `node_gpu:dcgm_xid_errors:last{${A100_KEY}}`, value: 79 }] },
      // One series throughout, so changes() sees the new code.
      { at: '8m', expr: 'changes(node_gpu:dcgm_xid_errors:last[10m])', expect: [{ labels: `{${A100_KEY}}`, value: 1 }] },
    ],
  });

  check('the cluster label is kept', {
    input: [dcgm('DCGM_FI_DEV_GPU_TEMP', A100, '61x10', `${DCGM},cluster="eu-1"`)],
    exprs: [
      {
        at: '5m',
        expr: 'node_gpu:dcgm_gpu_temperature:celsius',
        expect: [{ labels: `node_gpu:dcgm_gpu_temperature:celsius{cluster="eu-1",${A100_KEY}}`, value: 61 }],
      },
    ],
  });

  check('node key on Kubernetes: the Engine pod dcgm-exporter maps the GPU to', {
    input: [
      dcgm('DCGM_FI_DEV_GPU_TEMP', `${A100},container="engine",namespace="dg",pod="deepgram-engine-0"`, '61x10', 'job="dcgm-exporter",instance="10.42.3.5:9400"'),
      // Unallocated GPUs carry empty pod labels: they keep the host key.
      dcgm('DCGM_FI_DEV_GPU_TEMP', `${L4},container="",namespace="",pod=""`, '40x10', 'job="dcgm-exporter",instance="10.42.3.5:9400"'),
    ],
    exprs: [
      {
        at: '5m',
        expr: 'node_gpu:dcgm_gpu_temperature:celsius',
        expect: [
          { labels: `node_gpu:dcgm_gpu_temperature:celsius{UUID="${A100_UUID}",gpu="0",modelName="NVIDIA A100-SXM4-80GB",node="dg/deepgram-engine-0"}`, value: 61 },
          { labels: `node_gpu:dcgm_gpu_temperature:celsius{UUID="${L4_UUID}",gpu="1",modelName="NVIDIA L4",node="10.42.3.5"}`, value: 40 },
        ],
      },
    ],
  });

  // The cleaning step every GPU rule starts from: the newer lowercase hostname is copied into Hostname, so one label
  // name works for every dcgm-exporter release.
  check('Hostname and hostname both give a series with Hostname', {
    input: [dcgm('DCGM_FI_DEV_GPU_TEMP', A100, '61x10'), dcgm('DCGM_FI_DEV_GPU_TEMP', L4, '45x10')],
    exprs: [
      {
        at: '5m',
        expr: (({ q }) => q.withNode(q.dcgmWithoutBlanks('DCGM_FI_DEV_GPU_TEMP'), 'dcgm'))(alertContext(defaultConfig())),
        expect: [
          { labels: `{${DCGM},${A100},node="10.0.0.5"}`, value: 61 },
          { labels: `{${DCGM},${L4},Hostname="gpu-node-2",node="10.0.0.5"}`, value: 45 },
        ],
      },
    ],
  });

  // dcgm-exporter reached under another address than the Engine: the node key is the host name, from either label.
  check(
    'node key from Hostname or hostname when node.dcgm.hostLabel is Hostname',
    {
      input: [
        dcgm('DCGM_FI_DEV_GPU_TEMP', A100, '61x10', 'job="dcgm-exporter",instance="192.168.7.11:9400"'),
        dcgm('DCGM_FI_DEV_GPU_TEMP', L4, '45x10', 'job="dcgm-exporter",instance="192.168.7.12:9400"'),
      ],
      exprs: [
        {
          at: '5m',
          expr: 'node_gpu:dcgm_gpu_temperature:celsius',
          expect: [
            { labels: `node_gpu:dcgm_gpu_temperature:celsius{UUID="${A100_UUID}",gpu="0",modelName="NVIDIA A100-SXM4-80GB",node="gpu-node-1"}`, value: 61 },
            { labels: `node_gpu:dcgm_gpu_temperature:celsius{UUID="${L4_UUID}",gpu="1",modelName="NVIDIA L4",node="gpu-node-2"}`, value: 45 },
          ],
        },
      ],
    },
    parseConfig({ node: { dcgm: { hostLabel: 'Hostname' } } }),
  );
});
