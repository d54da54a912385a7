// NVIDIA dcgm-exporter's side of the simulated node: the rows of its default-counters.csv (names, types and help from
// core/catalog/dcgm.ts) for every GPU, in the label shape released builds (up to 4.5.3-4.8.2) render:
//   FIELD{gpu="0",UUID="GPU-…",pci_bus_id="00000000:00:1E.0",device="nvidia0",modelName="NVIDIA A10G",Hostname="…",DCGM_FI_DRIVER_VERSION="…"[,err_code,err_msg]} value
// Integer fields print as integers and double fields with six decimals (Go's %d and %f), and blank fields as DCGM's
// sentinel (DCGM_FI_DEV_MEMORY_TEMP on a GPU without a memory sensor: 9223372036854775794, "not supported").
//
// The modelled card is an NVIDIA A10G (AWS g5; 23028 MiB, 300 W): like a T4 it has no memory temperature sensor, and
// unlike a T4 (Turing) it supports row remapping, which the gpu-memory-errors scenario needs.
import { DCGM, type MetricDef } from '../core/catalog/index.ts';
import { TEXT_CONTENT_TYPE } from '../core/exposition/render.ts';
import { hashString, noise, signedNoise } from './random.ts';
import type { Profile } from './scenarios.ts';

export const DCGM_CONTENT_TYPE = TEXT_CONTENT_TYPE;
export const GPU_MODEL_NAME = 'NVIDIA A10G';
export const DRIVER_VERSION = '550.127.05';
/** DCGM_INT64_NOT_SUPPORTED as dcgm-exporter prints it. */
export const DCGM_NOT_SUPPORTED = '9223372036854775794';
const FB_TOTAL_MIB = 23028;
const FB_RESERVED_MIB = 406;
/** Framebuffer share the Engine's preloaded models take. */
const FB_ENGINE_RATIO = 0.72;
const MAX_SM_CLOCK = 1710;
/** dcgm-exporter's default --xid-count-window-size (5 min). */
export const XID_WINDOW_SECONDS = 300;
/** dcgm-exporter's err_msg table (internal/pkg/collector/xid_errors.go), for the codes the simulator uses. */
const XID_MESSAGES: Record<number, string> = { 0: 'No Error', 79: 'GPU has fallen off the bus', 48: 'Double Bit ECC Error', 94: 'Contained ECC error' };
/** Integer-valued DCGM fields (DCGM_FT_INT64); the others are doubles. */
const DOUBLE_FIELDS = new Set<string>([DCGM.powerUsage.name, DCGM.grEngineActive.name, DCGM.tensorActive.name, DCGM.dramActive.name]);
/** The rows enabled in default-counters.csv, in file order (the catalogue's ECC rows are commented out there). */
const DEFAULT_FIELDS: readonly MetricDef[] = [
  DCGM.smClock, DCGM.memClock, DCGM.memoryTemp, DCGM.gpuTemp, DCGM.powerUsage, DCGM.totalEnergy, DCGM.pcieReplay,
  DCGM.gpuUtil, DCGM.memCopyUtil, DCGM.encUtil, DCGM.decUtil, DCGM.xidErrors, DCGM.fbFree, DCGM.fbUsed, DCGM.fbReserved,
  DCGM.nvlinkBandwidthTotal, DCGM.vgpuLicenseStatus, DCGM.uncorrectableRemappedRows, DCGM.correctableRemappedRows,
  DCGM.rowRemapFailure, DCGM.grEngineActive, DCGM.tensorActive, DCGM.dramActive, DCGM.pcieTxBytes, DCGM.pcieRxBytes,
];

export interface GpuIdentity {
  gpu: string;
  UUID: string;
  pci_bus_id: string;
  device: string;
  modelName: string;
}

/** What the GPUs see of the Engine at a moment. */
export interface EngineLoad {
  /** The Engine process is running (models loaded in GPU memory unless on CPU). */
  running: boolean;
  /** The Engine has active requests. */
  busy: boolean;
}

interface GpuState {
  id: GpuIdentity;
  energyMj: number;
  uncorrectableRows: number;
  correctableRows: number;
  /** Xid events (second since start, code) still inside the count window. */
  xidEvents: { second: number; code: number }[];
  xidCredit: number;
  rowCredit: number;
}

const hex = (n: number, width: number) => Math.floor(n).toString(16).padStart(width, '0').slice(-width);

export class DcgmModel {
  private readonly gpus: GpuState[];
  private readonly seed: number;
  private readonly startMs: number;
  private readonly hostname: string;
  private second = 0;
  private readonly xidWindowSeconds: number;
  private readonly stepSeconds: number;

  /** `stepSeconds` (default 1): seconds integrated per step of energy and error counters (see EngineModelOptions). */
  constructor(options: { gpus: number; hostname: string; seed: number; startMs: number; xidWindowSeconds?: number; stepSeconds?: number }) {
    this.xidWindowSeconds = options.xidWindowSeconds ?? XID_WINDOW_SECONDS;
    this.stepSeconds = options.stepSeconds ?? 1;
    this.seed = options.seed;
    this.startMs = options.startMs;
    this.hostname = options.hostname;
    this.gpus = Array.from({ length: options.gpus }, (_, i) => ({
      id: gpuIdentity(options.hostname, i),
      energyMj: Math.floor(4_000_000_000 + noise(options.seed, i, 1) * 1_000_000_000),
      uncorrectableRows: 0,
      correctableRows: 0,
      xidEvents: [],
      xidCredit: 0,
      rowCredit: 0,
    }));
  }

  identities(): GpuIdentity[] {
    return this.gpus.map((g) => g.id);
  }

  secondAt(nowMs: number): number {
    return Math.max(0, Math.floor((nowMs - this.startMs) / 1000));
  }

  /** Called when a scenario starts: a fault that is an event (an Xid, a remapped row) happens at once. */
  enter(nowMs: number, profile: Profile): void {
    const second = this.secondAt(nowMs);
    for (const [i, g] of this.gpus.entries()) {
      if (!this.faulty(profile, i)) continue;
      if (profile.xid) {
        g.xidEvents.push({ second, code: profile.xid.code });
        g.xidCredit = 0;
      }
      if (profile.memoryErrors) {
        g.uncorrectableRows++;
        g.correctableRows += 2;
        g.rowCredit = 0;
      }
    }
  }

  /** Integrates energy and the rising error counters up to `nowMs`. */
  advance(nowMs: number, profile: Profile, load: (second: number) => EngineLoad): void {
    const target = this.secondAt(nowMs);
    const pending = target - this.second;
    if (pending <= 0) return;
    const stepSize = Math.max(this.stepSeconds, Math.ceil(pending / 100_000));
    while (this.second < target) {
      const dt = Math.min(stepSize, target - this.second);
      const engine = load(this.second);
      for (const [i, g] of this.gpus.entries()) {
        g.energyMj += Math.round(this.power(profile, engine, i, this.second) * 1000 * dt);
        if (!this.faulty(profile, i)) continue;
        if (profile.xid) {
          g.xidCredit += dt / profile.xid.everySeconds;
          while (g.xidCredit >= 1) {
            g.xidCredit -= 1;
            g.xidEvents.push({ second: this.second + dt, code: profile.xid.code });
          }
        }
        if (profile.memoryErrors) {
          g.rowCredit += dt / 60;
          while (g.rowCredit >= 1) {
            g.rowCredit -= 1;
            g.uncorrectableRows++;
            g.correctableRows += 3;
          }
        }
      }
      this.second += dt;
    }
    for (const g of this.gpus) g.xidEvents = g.xidEvents.filter((e) => e.second > this.second - this.xidWindowSeconds);
  }

  /** The /metrics body. */
  render(nowMs: number, profile: Profile, engine: EngineLoad): string {
    const second = this.secondAt(nowMs);
    let out = '';
    for (const field of DEFAULT_FIELDS) {
      out += `# HELP ${field.name} ${field.help}\n# TYPE ${field.name} ${field.type}\n`;
      for (const [i, g] of this.gpus.entries()) {
        const extra: [string, string][] = [];
        if (field === DCGM.xidErrors) {
          const code = this.faulty(profile, i) && profile.xid ? profile.xid.code : 0;
          extra.push(['err_code', String(code)], ['err_msg', XID_MESSAGES[code] ?? 'Unknown Error']);
        }
        out += `${field.name}{${labels(g.id, this.hostname, extra)}} ${this.value(field, profile, engine, i, second)}\n`;
      }
    }
    // DCGM_EXP_XID_ERRORS_COUNT (optional in the CSV): one series per GPU and Xid seen within the window.
    const counted = this.gpus.filter((g) => g.xidEvents.length > 0);
    if (counted.length > 0) {
      const def = DCGM.xidErrorsCount;
      out += `# HELP ${def.name} ${def.help}\n# TYPE ${def.name} ${def.type}\n`;
      for (const g of counted) {
        const codes = [...new Set(g.xidEvents.map((e) => e.code))].sort((a, b) => a - b);
        for (const code of codes) {
          const count = g.xidEvents.filter((e) => e.code === code).length;
          const own: [string, string][] = [['window_size_in_ms', String(this.xidWindowSeconds * 1000)], ['xid', String(code)]];
          out += `${def.name}{${labels(g.id, this.hostname, [], own)}} ${count}\n`;
        }
      }
    }
    return out;
  }

  private faulty(profile: Profile, index: number): boolean {
    return profile.faultScope === 'all' || index === 0;
  }

  private util(profile: Profile, engine: EngineLoad, index: number, second: number): number {
    if (!engine.running || !engine.busy) return 0;
    const value = profile.gpuUtil + profile.gpuUtilJitter * signedNoise(this.seed, second, index, 11);
    return Math.round(Math.min(100, Math.max(0, value)));
  }

  private power(profile: Profile, engine: EngineLoad, index: number, second: number): number {
    const util = this.util(profile, engine, index, second);
    const idle = engine.running && !profile.cpuFallback ? 27 : 22;
    return Math.min(300, idle + 2.3 * util + 4 * signedNoise(this.seed, second, index, 12));
  }

  private fbUsed(profile: Profile, engine: EngineLoad, index: number): number {
    if (!engine.running || profile.cpuFallback) return 0;
    const ratio = (this.faulty(profile, index) ? profile.fbUsedRatio : undefined) ?? FB_ENGINE_RATIO;
    return Math.round(FB_TOTAL_MIB * ratio);
  }

  private value(field: MetricDef, profile: Profile, engine: EngineLoad, index: number, second: number): string {
    const g = this.gpus[index] as GpuState;
    const util = this.util(profile, engine, index, second);
    const active = util / 100;
    const faulty = this.faulty(profile, index);
    const n = (k: number) => signedNoise(this.seed, second, index, k);
    const v = ((): number | string => {
      switch (field) {
        case DCGM.smClock:
          return util > 0 ? ((faulty ? profile.smClockMhz : undefined) ?? MAX_SM_CLOCK - Math.round(15 * Math.abs(n(1)))) : 210;
        case DCGM.memClock:
          return util > 0 ? 6250 : 405;
        case DCGM.memoryTemp:
          return DCGM_NOT_SUPPORTED;
        case DCGM.gpuTemp:
          return (faulty ? profile.gpuTempCelsius : undefined) ?? Math.round(33 + 0.38 * util + 1.5 * n(2));
        case DCGM.powerUsage:
          return this.power(profile, engine, index, second);
        case DCGM.totalEnergy:
          return g.energyMj;
        case DCGM.gpuUtil:
          return util;
        case DCGM.memCopyUtil:
          return Math.round(util * 0.45);
        case DCGM.xidErrors:
          return faulty && profile.xid ? profile.xid.code : 0;
        case DCGM.fbUsed:
          return this.fbUsed(profile, engine, index);
        case DCGM.fbFree:
          return FB_TOTAL_MIB - FB_RESERVED_MIB - this.fbUsed(profile, engine, index);
        case DCGM.fbReserved:
          return FB_RESERVED_MIB;
        case DCGM.uncorrectableRemappedRows:
          return g.uncorrectableRows;
        case DCGM.correctableRemappedRows:
          return g.correctableRows;
        case DCGM.rowRemapFailure:
          return faulty && profile.memoryErrors ? 1 : 0;
        case DCGM.grEngineActive:
          return active * (0.97 + 0.02 * n(3));
        case DCGM.tensorActive:
          return active * 0.38;
        case DCGM.dramActive:
          return active * 0.42;
        case DCGM.pcieTxBytes:
          return Math.round(1_200_000 + active * 240_000_000 * (1 + 0.1 * n(4)));
        case DCGM.pcieRxBytes:
          return Math.round(2_500_000 + active * 880_000_000 * (1 + 0.1 * n(5)));
        default:
          // PCIe replays, encoder/decoder, NVLink (none on this card), vGPU licence (bare metal).
          return 0;
      }
    })();
    if (typeof v === 'string') return v;
    return DOUBLE_FIELDS.has(field.name) ? Math.max(0, v).toFixed(6) : String(Math.max(0, Math.round(v)));
  }
}

function gpuIdentity(hostname: string, index: number): GpuIdentity {
  const seed = hashString(`${hostname}/${index}`);
  const part = (k: number, width: number) => hex(noise(seed, k) * 16 ** Math.min(width, 8), width);
  const uuid = `GPU-${part(1, 8)}-${part(2, 4)}-${part(3, 4)}-${part(4, 4)}-${part(5, 8)}${part(6, 4)}`;
  return {
    gpu: String(index),
    UUID: uuid,
    pci_bus_id: `00000000:00:${hex(0x1e - index, 2).toUpperCase()}.0`,
    device: `nvidia${index}`,
    modelName: GPU_MODEL_NAME,
  };
}

function labels(id: GpuIdentity, hostname: string, attributes: [string, string][], extraLabels: [string, string][] = []): string {
  const pairs: [string, string][] = [
    ['gpu', id.gpu],
    ['UUID', id.UUID],
    ['pci_bus_id', id.pci_bus_id],
    ['device', id.device],
    ['modelName', id.modelName],
    ['Hostname', hostname],
    // Label-type CSV rows, then the metric's own labels (sorted, as Go's template ranges over a map), then attributes.
    ['DCGM_FI_DRIVER_VERSION', DRIVER_VERSION],
    ...extraLabels,
    ...attributes,
  ];
  return pairs.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}
