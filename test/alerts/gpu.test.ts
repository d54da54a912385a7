// promtool unit tests for the GPU alerts, on the default config. Series carry dcgm-exporter's real label shapes:
// gpu, UUID, pci_bus_id, device, modelName and Hostname (released builds up to 4.5.3-4.8.2) or hostname (later
// builds); MIG instances add GPU_I_PROFILE/GPU_I_ID and have no DCGM_FI_DEV_GPU_UTIL; blank values are the sentinel
// 9223372036854775794. The Engine (job deepgram-engine, :9991) and dcgm-exporter (:9400) on host 10.0.0.5 meet as
// node="10.0.0.5"; on Kubernetes both carry the Engine pod's namespace/pod and meet as node="dg/deepgram-engine-0".
import { alertTest, links, type ExpectedAlert, type Series } from '../support/promtool.ts';

const ENGINE = 'job="deepgram-engine",instance="10.0.0.5:9991"';
const DCGM = 'job="dcgm-exporter",instance="10.0.0.5:9400"';
const SENTINEL = '9223372036854775794';

// An A100 on a released dcgm-exporter (Hostname), with the driver-version label the default CSV adds.
const A100_UUID = 'GPU-5a1c3f6e-8d2b-4f7a-9c41-2e6b7d0f9a13';
const A100 = `gpu="0",UUID="${A100_UUID}",pci_bus_id="00000000:07:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",Hostname="gpu-node-1",DCGM_FI_DRIVER_VERSION="550.54.15"`;
// An L4 on a newer dcgm-exporter build (lowercase hostname).
const L4_UUID = 'GPU-fc60126e-514d-3522-2828-c5daa8e99d85';
const L4 = `gpu="1",UUID="${L4_UUID}",pci_bus_id="00000000:B1:00.0",device="nvidia1",modelName="NVIDIA L4",hostname="gpu-node-1"`;
// Two MIG instances of one A100: DCGM_FI_DEV_GPU_UTIL does not exist for them, only the profiling fields.
const MIG_UUID = 'GPU-63bc0b91-2265-1b94-831c-15c41fe92675';
const mig = (id: string) =>
  `gpu="2",UUID="${MIG_UUID}",pci_bus_id="00000000:CA:00.0",device="nvidia2",modelName="NVIDIA A100-SXM4-40GB",GPU_I_PROFILE="3g.20gb",GPU_I_ID="${id}",Hostname="gpu-node-1"`;

const dcgm = (metric: string, gpu: string, values: string, extra = ''): Series => ({
  series: `${metric}{${DCGM},${gpu}${extra}}`,
  values,
});
const engine = (metric: string, values: string, extra = ''): Series => ({ series: `${metric}{${ENGINE}${extra}}`, values });
// The Engine's start-up metrics with `active` open streams, and `finished` requests a minute (6: 0.1/s).
const engineServing = (active: string, finished = 6): Series[] => [
  engine('engine_estimated_stream_capacity', '120x30'),
  engine('engine_max_active_requests', '0x30'),
  engine('engine_active_requests', `${active}x30`, ',kind="stream"'),
  engine('engine_active_requests', '0x30', ',kind="batch"'),
  engine('engine_requests_total', `0+${finished}x30`, ',kind="stream",response_status="2xx"'),
];
const engineIdle = engineServing('0', 0);

const a100Labels = { node: '10.0.0.5', gpu: '0', UUID: A100_UUID, modelName: 'NVIDIA A100-SXM4-80GB' };
const l4Labels = { node: '10.0.0.5', gpu: '1', UUID: L4_UUID, modelName: 'NVIDIA L4' };

/** One expected alert for the GPU dashboard, node 10.0.0.5 unless the labels say otherwise. */
const gpuAlert = (alert: string, labels: Record<string, string>, summary: string, description: string): ExpectedAlert => ({
  labels,
  annotations: { summary, description, ...links(alert, 'deepgram-gpu', labels.node) },
});

// --- DeepgramGPUSaturated -------------------------------------------------------------------------------------------

const SATURATED = 'A Deepgram GPU has been almost fully busy for a long time.';

alertTest('DeepgramGPUSaturated', {
  input: [dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '95x30')],
  fires: {
    at: '16m',
    expect: [
      gpuAlert(
        'DeepgramGPUSaturated',
        { severity: 'warning', ...a100Labels },
        SATURATED,
        'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 is 95% busy, above the 90 % saturation limit.',
      ),
    ],
  },
  justBefore: { at: '14m' },
  belowThreshold: { input: [dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '89x30')], at: '16m' },
  noTraffic: { input: [dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '0x30')], at: '16m' },
  more: [
    {
      name: 'DeepgramGPUSaturated fires for a MIG instance from DCGM_FI_PROF_GR_ENGINE_ACTIVE',
      input: [
        dcgm('DCGM_FI_PROF_GR_ENGINE_ACTIVE', mig('1'), '0.97x30'),
        dcgm('DCGM_FI_PROF_GR_ENGINE_ACTIVE', mig('2'), '0.4x30'),
        dcgm('DCGM_FI_DEV_GPU_TEMP', mig('1'), '60x30'),
      ],
      alerts: [
        {
          at: '16m',
          alert: 'DeepgramGPUSaturated',
          expect: [
            gpuAlert(
              'DeepgramGPUSaturated',
              { severity: 'warning', node: '10.0.0.5', gpu: '2', UUID: MIG_UUID, modelName: 'NVIDIA A100-SXM4-40GB', GPU_I_PROFILE: '3g.20gb', GPU_I_ID: '1' },
              SATURATED,
              'GPU 2 (NVIDIA A100-SXM4-40GB, MIG 3g.20gb instance 1) on node 10.0.0.5 is 97% busy, above the 90 % saturation limit.',
            ),
          ],
        },
      ],
    },
    {
      name: 'DeepgramGPUSaturated fires on newer dcgm-exporter builds (lowercase hostname)',
      input: [dcgm('DCGM_FI_DEV_GPU_UTIL', L4, '93x30')],
      alerts: [
        {
          at: '16m',
          alert: 'DeepgramGPUSaturated',
          expect: [
            gpuAlert(
              'DeepgramGPUSaturated',
              { severity: 'warning', ...l4Labels },
              SATURATED,
              'GPU 1 (NVIDIA L4) on node 10.0.0.5 is 93% busy, above the 90 % saturation limit.',
            ),
          ],
        },
      ],
    },
    {
      name: 'DeepgramGPUSaturated ignores the blank sentinel',
      input: [dcgm('DCGM_FI_DEV_GPU_UTIL', A100, `${SENTINEL}x30`)],
      alerts: [{ at: '16m', alert: 'DeepgramGPUSaturated', expect: [] }],
    },
  ],
});

// --- DeepgramGPUIdleWhileServing ------------------------------------------------------------------------------------

const IDLE = 'A Deepgram node is serving requests while its GPU is idle: the Engine is probably running on CPU.';

alertTest('DeepgramGPUIdleWhileServing', {
  input: [...engineServing('12'), dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '1x30')],
  fires: {
    at: '12m',
    expect: [
      gpuAlert(
        'DeepgramGPUIdleWhileServing',
        { severity: 'critical', ...a100Labels },
        IDLE,
        'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 is only 1% busy, like every GPU of its Engine, while that Engine serves at least 3 open requests: the Engine is probably running on CPU.',
      ),
    ],
  },
  justBefore: { at: '9m' },
  belowThreshold: { input: [...engineServing('12'), dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '6x30')], at: '12m' },
  // Engine up but idle, GPU idle: nothing is wrong.
  noTraffic: { input: [...engineIdle, dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '0x30')], at: '12m' },
  more: [
    {
      name: 'DeepgramGPUIdleWhileServing joins Engine pod and GPU on Kubernetes',
      input: [
        {
          series: 'engine_active_requests{job="dg_engine_metrics",instance="10.42.3.17:9991",namespace="dg",service="deepgram-engine-metrics",pod="deepgram-engine-0",kind="stream"}',
          values: '8x30',
        },
        {
          series: 'engine_estimated_stream_capacity{job="dg_engine_metrics",instance="10.42.3.17:9991",namespace="dg",service="deepgram-engine-metrics",pod="deepgram-engine-0"}',
          values: '120x30',
        },
        {
          series: 'engine_requests_total{job="dg_engine_metrics",instance="10.42.3.17:9991",namespace="dg",service="deepgram-engine-metrics",pod="deepgram-engine-0",kind="batch",response_status="2xx"}',
          values: '0+30x30',
        },
        // dcgm-exporter --kubernetes: the GPU allocated to the Engine pod carries its namespace and pod.
        {
          series: `DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter",instance="10.42.3.5:9400",gpu="0",UUID="${A100_UUID}",pci_bus_id="00000000:07:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",hostname="dcgm-exporter-x7k2p",container="engine",namespace="dg",pod="deepgram-engine-0"}`,
          values: '0x30',
        },
        // An unallocated GPU on the same host, idle: not the Engine's, must not fire.
        {
          series: `DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter",instance="10.42.3.5:9400",gpu="1",UUID="${L4_UUID}",pci_bus_id="00000000:B1:00.0",device="nvidia1",modelName="NVIDIA L4",hostname="dcgm-exporter-x7k2p",container="",namespace="",pod=""}`,
          values: '0x30',
        },
      ],
      alerts: [
        {
          at: '12m',
          alert: 'DeepgramGPUIdleWhileServing',
          expect: [
            gpuAlert(
              'DeepgramGPUIdleWhileServing',
              { severity: 'critical', node: 'dg/deepgram-engine-0', gpu: '0', UUID: A100_UUID, modelName: 'NVIDIA A100-SXM4-80GB' },
              IDLE,
              'GPU 0 (NVIDIA A100-SXM4-80GB) on node dg/deepgram-engine-0 is only 0% busy, like every GPU of its Engine, while that Engine serves at least 3 open requests: the Engine is probably running on CPU.',
            ),
          ],
        },
      ],
    },
    {
      name: 'DeepgramGPUIdleWhileServing silent when the busy GPU belongs to another node',
      // The Engine on 10.0.0.5 is busy with requests; the idle GPU is on 10.0.0.6.
      input: [
        ...engineServing('12'),
        dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '70x30'),
        { series: `DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter",instance="10.0.0.6:9400",${L4}}`, values: '0x30' },
      ],
      alerts: [{ at: '12m', alert: 'DeepgramGPUIdleWhileServing', expect: [] }],
    },
    {
      // Off Kubernetes the node key is the host: the Engine works on the busy A100, the L4 beside it is a spare.
      name: 'DeepgramGPUIdleWhileServing silent for an idle spare GPU beside a busy one',
      input: [...engineServing('12'), dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '70x30'), dcgm('DCGM_FI_DEV_GPU_UTIL', L4, '0x30')],
      alerts: ['12m', '20m', '30m'].map((at) => ({ at, alert: 'DeepgramGPUIdleWhileServing', expect: [] })),
    },
    {
      // One open stream carrying silence (KeepAlives), nothing finishing: 2 % busy is all it costs a GPU.
      name: 'DeepgramGPUIdleWhileServing silent for one silent stream at 2 % busy',
      input: [...engineServing('1', 0), dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '2x30')],
      alerts: ['12m', '20m', '30m'].map((at) => ({ at, alert: 'DeepgramGPUIdleWhileServing', expect: [] })),
    },
    {
      // Requests finish but only two are open at a time: not enough load to call an idle GPU CPU fallback.
      name: 'DeepgramGPUIdleWhileServing silent under minActiveRequests open requests',
      input: [...engineServing('2'), dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '1x30')],
      alerts: [{ at: '20m', alert: 'DeepgramGPUIdleWhileServing', expect: [] }],
    },
  ],
});

// --- DeepgramGPUXidErrors -------------------------------------------------------------------------------------------

const XID = 'A Deepgram GPU reported a new Xid error.';
// DCGM_FI_DEV_XID_ERRORS holds the last Xid code; err_code/err_msg name it, so a new code is a new series.
const xidGauge = (gpu: string, code: string, msg: string, values: string): Series =>
  dcgm('DCGM_FI_DEV_XID_ERRORS', gpu, values, `,err_code="${code}",err_msg="${msg}"`);
const noXid = (gpu: string, values = '0x9 stale') => xidGauge(gpu, '0', 'Unknown Error', values);
const xidCount = (gpu: string, xid: string, values: string): Series => dcgm('DCGM_EXP_XID_ERRORS_COUNT', gpu, values, `,xid="${xid}"`);
const XID_79 = 'GPU has fallen off the bus';
const XID_13 = 'Graphics Engine Exception';

alertTest('DeepgramGPUXidErrors', {
  // Xid 0 for ten minutes, then 79: the old series goes stale, the new one appears.
  input: [noXid(A100), xidGauge(A100, '79', XID_79, '_x10 79x20')],
  fires: {
    at: '12m',
    expect: [
      gpuAlert(
        'DeepgramGPUXidErrors',
        { severity: 'critical', signal: 'last_xid', ...a100Labels },
        XID,
        'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 reported Xid 79 within the last 10m, a code that means failing hardware or a GPU that needs a reset.',
      ),
    ],
  },
  justBefore: { at: '9m' },
  // The last-value gauge trap: Xid 79 from long ago, never changing. Its value is not news.
  belowThreshold: { input: [xidGauge(A100, '79', XID_79, '79x30')], at: '12m' },
  noTraffic: { input: [noXid(A100, '0x30')], at: '12m' },
  more: [
    {
      name: 'DeepgramGPUXidErrors warns on a non-critical Xid (lowercase hostname)',
      input: [noXid(L4), xidGauge(L4, '13', XID_13, '_x10 13x20')],
      alerts: [
        {
          at: '12m',
          alert: 'DeepgramGPUXidErrors',
          expect: [
            gpuAlert(
              'DeepgramGPUXidErrors',
              { severity: 'warning', signal: 'last_xid', ...l4Labels },
              XID,
              'GPU 1 (NVIDIA L4) on node 10.0.0.5 reported Xid 13 within the last 10m.',
            ),
          ],
        },
      ],
    },
    {
      // A critical Xid is held (keep_firing_for, 24h by default) after its window: it clears only a day later.
      name: 'DeepgramGPUXidErrors holds a critical Xid past the window, and clears after criticalKeepFiringFor',
      input: [noXid(A100), xidGauge(A100, '79', XID_79, '_x10 79x20')],
      alerts: [
        {
          at: '25m',
          alert: 'DeepgramGPUXidErrors',
          expect: [
            gpuAlert(
              'DeepgramGPUXidErrors',
              { severity: 'critical', signal: 'last_xid', ...a100Labels },
              XID,
              'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 reported Xid 79 within the last 10m, a code that means failing hardware or a GPU that needs a reset.',
            ),
          ],
        },
        { at: '25h', alert: 'DeepgramGPUXidErrors', expect: [] },
      ],
    },
    {
      name: 'DeepgramGPUXidErrors ignores the gauge restarting at 0',
      // dcgm-exporter restarted: the gauge goes from 79 back to 0. A change, but not an Xid.
      input: [xidGauge(A100, '79', XID_79, '79x9 stale'), noXid(A100, '_x10 0x20')],
      alerts: [{ at: '12m', alert: 'DeepgramGPUXidErrors', expect: [] }],
    },
    {
      name: 'DeepgramGPUXidErrors fires critical from DCGM_EXP_XID_ERRORS_COUNT',
      // The same Xid 79 again: the last-value gauge cannot change, only the count shows it.
      input: [xidGauge(A100, '79', XID_79, '79x30'), xidCount(A100, '79', '0x10 1x5 0x15')],
      alerts: [
        {
          at: '12m',
          alert: 'DeepgramGPUXidErrors',
          expect: [
            gpuAlert(
              'DeepgramGPUXidErrors',
              { severity: 'critical', signal: 'xid_count', xid: '79', ...a100Labels },
              XID,
              "GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 reported Xid 79 (1 time(s) within dcgm-exporter's count window), a code that means failing hardware or a GPU that needs a reset.",
            ),
          ],
        },
        // The count is over dcgm-exporter's own window: back to 0, the critical page is still held (keep_firing_for).
        {
          at: '20m',
          alert: 'DeepgramGPUXidErrors',
          expect: [
            gpuAlert(
              'DeepgramGPUXidErrors',
              { severity: 'critical', signal: 'xid_count', xid: '79', ...a100Labels },
              XID,
              "GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 reported Xid 79 (1 time(s) within dcgm-exporter's count window), a code that means failing hardware or a GPU that needs a reset.",
            ),
          ],
        },
      ],
    },
    {
      name: 'DeepgramGPUXidErrors fires from both signals and warns on non-critical counts',
      input: [
        noXid(A100),
        xidGauge(A100, '79', XID_79, '_x10 79x20'),
        xidCount(A100, '79', '0x10 1x20'),
        xidCount(L4, '13', '0x10 3x20'),
        xidCount(L4, '31', '0x30'),
      ],
      alerts: [
        {
          at: '12m',
          alert: 'DeepgramGPUXidErrors',
          expect: [
            gpuAlert(
              'DeepgramGPUXidErrors',
              { severity: 'critical', signal: 'last_xid', ...a100Labels },
              XID,
              'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 reported Xid 79 within the last 10m, a code that means failing hardware or a GPU that needs a reset.',
            ),
            gpuAlert(
              'DeepgramGPUXidErrors',
              { severity: 'critical', signal: 'xid_count', xid: '79', ...a100Labels },
              XID,
              "GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 reported Xid 79 (1 time(s) within dcgm-exporter's count window), a code that means failing hardware or a GPU that needs a reset.",
            ),
            gpuAlert(
              'DeepgramGPUXidErrors',
              { severity: 'warning', signal: 'xid_count', xid: '13', ...l4Labels },
              XID,
              "GPU 1 (NVIDIA L4) on node 10.0.0.5 reported Xid 13 (3 time(s) within dcgm-exporter's count window).",
            ),
          ],
        },
      ],
    },
  ],
});

// --- DeepgramGPUTemperatureHigh -------------------------------------------------------------------------------------

const HOT = 'A Deepgram GPU is running hot.';

alertTest('DeepgramGPUTemperatureHigh', {
  input: [dcgm('DCGM_FI_DEV_GPU_TEMP', A100, '88x30')],
  fires: {
    at: '12m',
    expect: [
      gpuAlert(
        'DeepgramGPUTemperatureHigh',
        { severity: 'warning', ...a100Labels },
        HOT,
        'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 is at 88 °C, above the 85 °C limit.',
      ),
    ],
  },
  justBefore: { at: '9m' },
  belowThreshold: { input: [dcgm('DCGM_FI_DEV_GPU_TEMP', A100, '85x30')], at: '12m' },
  noTraffic: { input: [dcgm('DCGM_FI_DEV_GPU_TEMP', A100, '34x30')], at: '12m' },
  more: [
    {
      name: 'DeepgramGPUTemperatureHigh ignores the blank sentinel',
      // A sensor DCGM cannot read: 9.2e18 °C is no temperature.
      input: [dcgm('DCGM_FI_DEV_GPU_TEMP', A100, `${SENTINEL}x30`), dcgm('DCGM_FI_DEV_GPU_TEMP', L4, `${SENTINEL}x30`)],
      alerts: [{ at: '12m', alert: 'DeepgramGPUTemperatureHigh', expect: [] }],
    },
    {
      name: 'DeepgramGPUTemperatureHigh fires on newer dcgm-exporter builds (lowercase hostname)',
      input: [dcgm('DCGM_FI_DEV_GPU_TEMP', L4, '91x30'), dcgm('DCGM_FI_DEV_GPU_TEMP', A100, '70x30')],
      alerts: [
        {
          at: '12m',
          alert: 'DeepgramGPUTemperatureHigh',
          expect: [
            gpuAlert(
              'DeepgramGPUTemperatureHigh',
              { severity: 'warning', ...l4Labels },
              HOT,
              'GPU 1 (NVIDIA L4) on node 10.0.0.5 is at 91 °C, above the 85 °C limit.',
            ),
          ],
        },
      ],
    },
  ],
});

// --- DeepgramGPUMemoryNearlyFull ------------------------------------------------------------------------------------

const MEMORY_FULL = "A Deepgram GPU's memory is nearly full.";
// Framebuffer in MiB as dcgm-exporter reports it; total = free + used + reserved (80 GiB here).
const framebuffer = (gpu: string, used: number, reserved: number, total: number): Series[] => [
  dcgm('DCGM_FI_DEV_FB_USED', gpu, `${used}x30`),
  dcgm('DCGM_FI_DEV_FB_RESERVED', gpu, `${reserved}x30`),
  dcgm('DCGM_FI_DEV_FB_FREE', gpu, `${total - used - reserved}x30`),
];

alertTest('DeepgramGPUMemoryNearlyFull', {
  // 78500 MiB of 81920 MiB.
  input: framebuffer(A100, 78500, 510, 81920),
  fires: {
    at: '17m',
    expect: [
      gpuAlert(
        'DeepgramGPUMemoryNearlyFull',
        { severity: 'warning', ...a100Labels },
        MEMORY_FULL,
        'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 has 95.83% of its memory in use, above the 95 % limit.',
      ),
    ],
  },
  justBefore: { at: '14m' },
  // 77800 MiB of 81920 MiB is 94.97 %.
  belowThreshold: { input: framebuffer(A100, 77800, 510, 81920), at: '17m' },
  // Models loaded, no requests.
  noTraffic: { input: framebuffer(A100, 21000, 510, 81920), at: '17m' },
  more: [
    {
      name: 'DeepgramGPUMemoryNearlyFull fires on newer dcgm-exporter builds (lowercase hostname)',
      // 22800 MiB of 23034 MiB on a 24 GB L4.
      input: framebuffer(L4, 22800, 234, 23034),
      alerts: [
        {
          at: '17m',
          alert: 'DeepgramGPUMemoryNearlyFull',
          expect: [
            gpuAlert(
              'DeepgramGPUMemoryNearlyFull',
              { severity: 'warning', ...l4Labels },
              MEMORY_FULL,
              'GPU 1 (NVIDIA L4) on node 10.0.0.5 has 98.98% of its memory in use, above the 95 % limit.',
            ),
          ],
        },
      ],
    },
  ],
});

// --- DeepgramGPUMemoryErrors ----------------------------------------------------------------------------------------

const MEMORY_ERRORS = 'A Deepgram GPU has uncorrectable memory errors.';
const remapped = (gpu: string, values: string) => dcgm('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', gpu, values);
const remapFailure = (gpu: string, values: string) => dcgm('DCGM_FI_DEV_ROW_REMAP_FAILURE', gpu, values);

alertTest('DeepgramGPUMemoryErrors', {
  // One more row remapped after an uncorrectable error at minute 10.
  input: [remapped(A100, '0x9 1x20'), remapFailure(A100, '0x30')],
  fires: {
    at: '12m',
    expect: [
      gpuAlert(
        'DeepgramGPUMemoryErrors',
        { severity: 'critical', signal: 'uncorrectable_remapped_rows', ...a100Labels },
        MEMORY_ERRORS,
        'GPU 0 (NVIDIA A100-SXM4-80GB) on node 10.0.0.5 remapped 1 more memory row(s) after uncorrectable errors within the last 10m.',
      ),
    ],
  },
  justBefore: { at: '9m' },
  // Two rows remapped long ago and nothing since: history, not news.
  belowThreshold: { input: [remapped(A100, '2x30'), remapFailure(A100, '0x30')], at: '12m' },
  noTraffic: { input: [remapped(A100, '0x30'), remapFailure(A100, '0x30')], at: '12m' },
  more: [
    {
      name: 'DeepgramGPUMemoryErrors fires on a row remap failure (lowercase hostname)',
      input: [remapped(L4, '3x30'), remapFailure(L4, '0x9 1x20')],
      alerts: [
        {
          at: '12m',
          alert: 'DeepgramGPUMemoryErrors',
          expect: [
            gpuAlert(
              'DeepgramGPUMemoryErrors',
              { severity: 'critical', signal: 'row_remap_failure', ...l4Labels },
              MEMORY_ERRORS,
              'GPU 1 (NVIDIA L4) on node 10.0.0.5 failed to remap a memory row: it has no spare rows left for failing memory.',
            ),
          ],
        },
      ],
    },
    {
      name: 'DeepgramGPUMemoryErrors ignores blank sentinels',
      // GPUs without row remapping report both fields blank, sometimes alternating with real values.
      input: [
        remapped(A100, `${SENTINEL}x30`),
        remapFailure(A100, `${SENTINEL}x30`),
        remapped(L4, `0x4 ${SENTINEL}x4 0x4 ${SENTINEL}x4 0x12`),
        remapFailure(L4, `0x4 ${SENTINEL}x4 0x20`),
      ],
      alerts: [
        { at: '7m', alert: 'DeepgramGPUMemoryErrors', expect: [] },
        { at: '12m', alert: 'DeepgramGPUMemoryErrors', expect: [] },
        { at: '16m', alert: 'DeepgramGPUMemoryErrors', expect: [] },
      ],
    },
  ],
});

// --- DeepgramGPUMetricsMissing --------------------------------------------------------------------------------------

const MISSING = 'A node serving Deepgram reports no GPU metrics.';

alertTest('DeepgramGPUMetricsMissing', {
  // An idle Engine on 10.0.0.5; dcgm-exporter only reports another host.
  input: [...engineIdle, { series: `DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter",instance="10.0.0.6:9400",${L4}}`, values: '20x30' }],
  fires: {
    at: '12m',
    expect: [
      gpuAlert(
        'DeepgramGPUMetricsMissing',
        { severity: 'warning', node: '10.0.0.5' },
        MISSING,
        'Node 10.0.0.5 runs a Deepgram Engine but no GPU busy metrics from dcgm-exporter match it.',
      ),
    ],
  },
  justBefore: { at: '9m' },
  // dcgm-exporter reports the Engine's host (newer build, lowercase hostname).
  belowThreshold: { input: [...engineIdle, dcgm('DCGM_FI_DEV_GPU_UTIL', L4, '0x30')], at: '12m' },
  // A GPU host without a Deepgram Engine is not this alert's business.
  noTraffic: { input: [dcgm('DCGM_FI_DEV_GPU_UTIL', A100, '0x30')], at: '12m' },
  more: [
    {
      name: 'DeepgramGPUMetricsMissing silent for a MIG instance without DCGM_FI_DEV_GPU_UTIL',
      input: [...engineIdle, dcgm('DCGM_FI_PROF_GR_ENGINE_ACTIVE', mig('1'), '0x30')],
      alerts: [{ at: '12m', alert: 'DeepgramGPUMetricsMissing', expect: [] }],
    },
    {
      name: 'DeepgramGPUMetricsMissing fires when only blank sentinels arrive',
      input: [...engineIdle, dcgm('DCGM_FI_DEV_GPU_UTIL', A100, `${SENTINEL}x30`)],
      alerts: [
        {
          at: '12m',
          alert: 'DeepgramGPUMetricsMissing',
          expect: [
            gpuAlert(
              'DeepgramGPUMetricsMissing',
              { severity: 'warning', node: '10.0.0.5' },
              MISSING,
              'Node 10.0.0.5 runs a Deepgram Engine but no GPU busy metrics from dcgm-exporter match it.',
            ),
          ],
        },
      ],
    },
    {
      name: 'DeepgramGPUMetricsMissing fires on Kubernetes when dcgm-exporter has no pod mapping',
      // Without --kubernetes the GPU series carry no pod, so they cannot be joined to the Engine pod.
      input: [
        {
          series: 'engine_estimated_stream_capacity{job="dg_engine_metrics",instance="10.42.3.17:9991",namespace="dg",service="deepgram-engine-metrics",pod="deepgram-engine-0"}',
          values: '120x30',
        },
        {
          series: `DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter",instance="10.42.3.5:9400",gpu="0",UUID="${A100_UUID}",pci_bus_id="00000000:07:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",hostname="dcgm-exporter-x7k2p"}`,
          values: '40x30',
        },
      ],
      alerts: [
        {
          at: '12m',
          alert: 'DeepgramGPUMetricsMissing',
          expect: [
            gpuAlert(
              'DeepgramGPUMetricsMissing',
              { severity: 'warning', node: 'dg/deepgram-engine-0' },
              MISSING,
              'Node dg/deepgram-engine-0 runs a Deepgram Engine but no GPU busy metrics from dcgm-exporter match it.',
            ),
          ],
        },
      ],
    },
  ],
});
