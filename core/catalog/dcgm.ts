// NVIDIA dcgm-exporter metrics (`/metrics` on port 9400): the rows enabled in its default-counters.csv at tag
// 4.5.3-4.8.2, plus the optional exporter-computed DCGM_EXP_XID_ERRORS_COUNT. Units are DCGM's own (%, MiB, MHz, mJ);
// dgmon converts them once, in recording rules, to base units. Fields marked optional are missing on some GPUs or
// setups: MIG instances lack GPU_UTIL, DCP (PROF) fields need data-centre Volta or later and unsupported rows are
// skipped, row remapping is Ampere and later, NVLink and vGPU fields need that hardware, and the rest are off in
// default-counters.csv.
import type { MetricDef } from './types.ts';

/** Labels on every GPU series. `Hostname` (released builds up to 4.5.3-4.8.2) became `hostname` later; accept both. */
export const DCGM_GPU_LABELS = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'hostname', 'GPU_I_PROFILE', 'GPU_I_ID', 'DCGM_FI_DRIVER_VERSION', 'namespace', 'pod', 'container'] as const;

/** DCGM writes "blank" (unsupported, not yet sampled) values as huge sentinels such as 9223372036854775794. */
export const DCGM_BLANK_SENTINEL_MIN = 9.2e18;

const def = (d: Omit<MetricDef, 'source' | 'labels'> & { labels?: readonly string[] }): MetricDef => ({
  labels: DCGM_GPU_LABELS,
  ...d,
  source: 'dcgm',
});

export const DCGM = {
  smClock: def({ name: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', unit: 'megahertz', help: 'SM clock frequency (in MHz).' }),
  memClock: def({ name: 'DCGM_FI_DEV_MEM_CLOCK', type: 'gauge', unit: 'megahertz', help: 'Memory clock frequency (in MHz).' }),
  memoryTemp: def({ name: 'DCGM_FI_DEV_MEMORY_TEMP', type: 'gauge', unit: 'celsius', help: 'Memory temperature (in C).', notes: 'Often the blank sentinel on GPUs without an HBM sensor.' }),
  gpuTemp: def({ name: 'DCGM_FI_DEV_GPU_TEMP', type: 'gauge', unit: 'celsius', help: 'GPU temperature (in C).' }),
  powerUsage: def({ name: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', unit: 'watts', help: 'Power draw (in W).' }),
  totalEnergy: def({ name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', type: 'counter', unit: 'millijoules', help: 'Total energy consumption since boot (in mJ).', notes: 'A counter without _total, as dcgm-exporter names it.' }),
  pcieReplay: def({ name: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', type: 'counter', unit: 'retries', help: 'Total number of PCIe retries.' }),
  gpuUtil: def({ presence: 'optional', name: 'DCGM_FI_DEV_GPU_UTIL', type: 'gauge', unit: 'percent', help: 'GPU utilization (in %).', notes: 'Absent on MIG instances: fall back to DCGM_FI_PROF_GR_ENGINE_ACTIVE.' }),
  memCopyUtil: def({ name: 'DCGM_FI_DEV_MEM_COPY_UTIL', type: 'gauge', unit: 'percent', help: 'Memory utilization (in %).' }),
  encUtil: def({ name: 'DCGM_FI_DEV_ENC_UTIL', type: 'gauge', unit: 'percent', help: 'Encoder utilization (in %).' }),
  decUtil: def({ name: 'DCGM_FI_DEV_DEC_UTIL', type: 'gauge', unit: 'percent', help: 'Decoder utilization (in %).' }),
  xidErrors: def({
    name: 'DCGM_FI_DEV_XID_ERRORS',
    type: 'gauge',
    unit: 'xid',
    help: 'Value of the last XID error encountered.',
    labels: [...DCGM_GPU_LABELS, 'err_code', 'err_msg'],
    notes: 'The LAST Xid code, never reset: alert on its changes, never on its value.',
  }),
  fbFree: def({ name: 'DCGM_FI_DEV_FB_FREE', type: 'gauge', unit: 'mebibytes', help: 'Framebuffer memory free (in MiB).' }),
  fbUsed: def({ name: 'DCGM_FI_DEV_FB_USED', type: 'gauge', unit: 'mebibytes', help: 'Framebuffer memory used (in MiB).' }),
  fbReserved: def({ name: 'DCGM_FI_DEV_FB_RESERVED', type: 'gauge', unit: 'mebibytes', help: 'Framebuffer memory reserved (in MiB).', notes: 'FB total is not exported by default: total = free + used + reserved.' }),
  nvlinkBandwidthTotal: def({ presence: 'optional', name: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', type: 'counter', unit: 'counts', help: 'Total number of NVLink bandwidth counters for all lanes.' }),
  vgpuLicenseStatus: def({ presence: 'optional', name: 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', type: 'gauge', unit: 'status', help: 'vGPU License status' }),
  uncorrectableRemappedRows: def({ presence: 'optional', name: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', type: 'counter', unit: 'rows', help: 'Number of remapped rows for uncorrectable errors' }),
  correctableRemappedRows: def({ presence: 'optional', name: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', type: 'counter', unit: 'rows', help: 'Number of remapped rows for correctable errors' }),
  rowRemapFailure: def({ presence: 'optional', name: 'DCGM_FI_DEV_ROW_REMAP_FAILURE', type: 'gauge', unit: 'boolean', help: 'Whether remapping of rows has failed' }),
  grEngineActive: def({ presence: 'optional', name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', type: 'gauge', unit: 'ratio', help: 'Ratio of time the graphics engine is active.', notes: 'The busy signal under MIG, where DCGM_FI_DEV_GPU_UTIL is absent.' }),
  tensorActive: def({ presence: 'optional', name: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', type: 'gauge', unit: 'ratio', help: 'Ratio of cycles the tensor (HMMA) pipe is active.' }),
  dramActive: def({ presence: 'optional', name: 'DCGM_FI_PROF_DRAM_ACTIVE', type: 'gauge', unit: 'ratio', help: 'Ratio of cycles the device memory interface is active sending or receiving data.' }),
  pcieTxBytes: def({ presence: 'optional', name: 'DCGM_FI_PROF_PCIE_TX_BYTES', type: 'gauge', unit: 'bytes_per_second', help: 'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.' }),
  pcieRxBytes: def({ presence: 'optional', name: 'DCGM_FI_PROF_PCIE_RX_BYTES', type: 'gauge', unit: 'bytes_per_second', help: 'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.' }),
  eccSbeVolatileTotal: def({
    presence: 'optional',
    name: 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL',
    type: 'counter',
    unit: 'errors',
    help: 'Total number of single-bit volatile ECC errors.',
    notes: 'Commented out in default-counters.csv; emitted by dgmon\'s nvidia-smi collector (ecc.errors.corrected.volatile.total).',
  }),
  eccDbeVolatileTotal: def({
    presence: 'optional',
    name: 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL',
    type: 'counter',
    unit: 'errors',
    help: 'Total number of double-bit volatile ECC errors.',
    notes: 'Commented out in default-counters.csv; emitted by dgmon\'s nvidia-smi collector (ecc.errors.uncorrected.volatile.total).',
  }),
  xidErrorsCount: def({
    presence: 'optional',
    name: 'DCGM_EXP_XID_ERRORS_COUNT',
    type: 'gauge',
    unit: 'errors',
    help: 'Count of XID Errors within user-specified time window (see xid-count-window-size param).',
    labels: [...DCGM_GPU_LABELS, 'xid', 'window_size_in_ms'],
    notes: 'Optional (commented out in default-counters.csv): Xids seen in the last window (5 min), one series per xid. Catches a repeat of the same Xid, which the last-value gauge cannot.',
  }),
} as const satisfies Record<string, MetricDef>;
