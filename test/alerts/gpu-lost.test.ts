// promtool unit tests for a GPU that disappears (issue 23, item 7): a 2-GPU node losing one GPU pages
// (DeepgramGPUDisappeared; DeepgramGPUMetricsMissing is per node and stays quiet), and a critical Xid (79, fallen
// off the bus) keeps paging after the dead GPU's series have left dcgm-exporter's output.
import { alertTest, links, promtoolTestRules, defaultConfig, type ExpectedAlert, type Series } from '../support/promtool.ts';
import { describe, expect, it } from 'vitest';

const DCGM = 'job="dcgm-exporter",instance="10.0.0.5:9400"';
const A100_UUID = 'GPU-5a1c3f6e-8d2b-4f7a-9c41-2e6b7d0f9a13';
const A100 = `gpu="0",UUID="${A100_UUID}",pci_bus_id="00000000:07:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",Hostname="gpu-node-1"`;
const L4_UUID = 'GPU-fc60126e-514d-3522-2828-c5daa8e99d85';
const L4 = `gpu="1",UUID="${L4_UUID}",pci_bus_id="00000000:B1:00.0",device="nvidia1",modelName="NVIDIA L4",hostname="gpu-node-1"`;
const dcgm = (metric: string, gpu: string, values: string, extra = ''): Series => ({ series: `${metric}{${DCGM},${gpu}${extra}}`, values });
const temp = (gpu: string, values: string) => dcgm('DCGM_FI_DEV_GPU_TEMP', gpu, values);
const util = (gpu: string, values: string) => dcgm('DCGM_FI_DEV_GPU_UTIL', gpu, values);
const ENGINE = 'job="deepgram-engine",instance="10.0.0.5:9991"';
const engineUp: Series[] = [
  { series: `engine_estimated_stream_capacity{${ENGINE}}`, values: '120x40' },
  { series: `engine_active_requests{${ENGINE},kind="stream"}`, values: '0x40' },
];

const disappeared = (count: number): ExpectedAlert => ({
  labels: { severity: 'critical', node: '10.0.0.5' },
  annotations: {
    summary: 'A Deepgram node reports fewer GPUs than it did.',
    description: `Node 10.0.0.5 reports ${count} GPU(s), fewer than it reported within the last 1d: a GPU disappeared.`,
    ...links('DeepgramGPUDisappeared', 'deepgram-gpu', '10.0.0.5'),
  },
});

// The L4 falls off at 10m: its series end (stale) while the A100 keeps reporting.
const oneGpuGone: Series[] = [...engineUp, temp(A100, '60x40'), util(A100, '30x40'), temp(L4, '55x10 stale'), util(L4, '30x10 stale')];

alertTest('DeepgramGPUDisappeared', {
  input: oneGpuGone,
  fires: { at: '20m', expect: [disappeared(1)] },
  // Gone from 11m: at 14m not yet the 5 minutes.
  justBefore: { at: '14m' },
  belowThreshold: { input: [...engineUp, temp(A100, '60x40'), util(A100, '30x40'), temp(L4, '55x40'), util(L4, '30x40')], at: '20m' },
  noTraffic: { input: engineUp, at: '20m' },
  more: [
    {
      // The case the issue found: one dead GPU of two, and the per-node DeepgramGPUMetricsMissing stays quiet.
      name: 'DeepgramGPUMetricsMissing does not see one GPU of two gone',
      input: oneGpuGone,
      alerts: [{ at: '20m', alert: 'DeepgramGPUMetricsMissing', expect: [] }],
    },
  ],
});

describe('DeepgramGPUXidErrors with a GPU that fell off the bus', () => {
  it('keeps the Xid 79 page after the dead GPU\'s series left dcgm-exporter', () => {
    const xid = (code: string, msg: string, values: string) => dcgm('DCGM_FI_DEV_XID_ERRORS', A100, values, `,err_code="${code}",err_msg="${msg}"`);
    const page: ExpectedAlert = {
      labels: { severity: 'critical', signal: 'last_xid', node: '10.0.0.5', gpu: '0', UUID: A100_UUID, modelName: 'NVIDIA A100-SXM4-80GB' },
      annotations: {
        summary: 'A Deepgram GPU reported a new Xid error.',
        description: 'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 reported Xid 79 within the last 10m, a code that means failing hardware or a GPU that needs a reset.',
        ...links('DeepgramGPUXidErrors', 'deepgram-gpu', '10.0.0.5'),
      },
    };
    // Xid 0 until 10m, then 79 for two scrapes, then the GPU is gone: every series of it ends.
    const result = promtoolTestRules(defaultConfig(), [
      {
        name: 'Xid 79 held',
        input: [xid('0', 'Unknown Error', '0x9 stale'), xid('79', XID_79, '_x10 79 79 stale'), temp(A100, '60x11 stale')],
        alerts: [
          { at: '11m', alert: 'DeepgramGPUXidErrors', expect: [page] },
          // Long after the 10m window and the series' end: still paging.
          { at: '45m', alert: 'DeepgramGPUXidErrors', expect: [page] },
        ],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });
});

const XID_79 = 'GPU has fallen off the bus';
