// The bare-metal GPU collector: `nvidia-smi --query-gpu` output turned into the series dcgm-exporter would expose —
// the same metric names (from the catalogue), types, HELP texts, units (MiB, MHz, W, °C, %) and labels (gpu, UUID,
// pci_bus_id, device, modelName, Hostname) — so rules and dashboards work unchanged on hosts without dcgm-exporter.
//
// What nvidia-smi cannot tell ("[N/A]", "[Not Supported]", "N/A", any other bracketed marker such as
// "[Unknown Error]", or an empty cell) omits that GPU's series; it is never read as 0. A family no GPU has a value for
// is left out entirely. Anything else that is not a number fails the whole collection with reason 'parse': a format
// change must be loud, not a silently wrong gauge.
import { execFile, type ExecFileException } from 'node:child_process';
import { DCGM, type MetricDef, type SOURCE_FAILURE_REASONS } from '../../core/catalog/index.ts';
import type { MetricFamily, Sample } from '../../core/exposition/types.ts';

export type NvidiaSmiFailureReason = (typeof SOURCE_FAILURE_REASONS)[number];

export class NvidiaSmiError extends Error {
  constructor(
    readonly reason: NvidiaSmiFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'NvidiaSmiError';
  }
}

/** The --query-gpu fields, in column order. Units with `nounits`: %, MiB, °C, W, MHz, counts. */
export const NVIDIA_SMI_FIELDS = [
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'utilization.gpu',
  'utilization.memory',
  'memory.total',
  'memory.used',
  'memory.free',
  'temperature.gpu',
  'temperature.memory',
  'power.draw',
  'clocks.sm',
  'clocks.mem',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
  'remapped_rows.correctable',
  'remapped_rows.uncorrectable',
  'remapped_rows.failure',
] as const;
export type NvidiaSmiField = (typeof NVIDIA_SMI_FIELDS)[number];

/** Identity fields: every query must include them (they become the labels). */
const IDENTITY_FIELDS = ['index', 'uuid', 'name', 'pci.bus_id'] as const satisfies readonly NvidiaSmiField[];

/** Fields older drivers (or GPUs) may reject as "not a valid field to query": dropped on the one retry. */
export const NVIDIA_SMI_OPTIONAL_FIELDS: readonly NvidiaSmiField[] = NVIDIA_SMI_FIELDS.filter((f) => f.startsWith('ecc.') || f.startsWith('remapped_rows.'));

/** nvidia-smi's output for a few GPUs is a few hundred bytes; anything near this is not nvidia-smi output. */
export const NVIDIA_SMI_MAX_OUTPUT_BYTES = 1024 * 1024;

export function nvidiaSmiArgs(fields: readonly string[] = NVIDIA_SMI_FIELDS): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

type Row = ReadonlyMap<string, string>;
type Read = (row: Row, gpu: string) => number | undefined;

/** One emitted family per entry, in dcgm-exporter's default-counters.csv order (ECC, commented out there, last). */
const METRICS: readonly { def: MetricDef; read: Read }[] = [
  { def: DCGM.smClock, read: (r, g) => numeric(r, 'clocks.sm', g) },
  { def: DCGM.memClock, read: (r, g) => numeric(r, 'clocks.mem', g) },
  { def: DCGM.memoryTemp, read: (r, g) => numeric(r, 'temperature.memory', g) },
  { def: DCGM.gpuTemp, read: (r, g) => numeric(r, 'temperature.gpu', g) },
  { def: DCGM.powerUsage, read: (r, g) => numeric(r, 'power.draw', g) },
  { def: DCGM.gpuUtil, read: (r, g) => numeric(r, 'utilization.gpu', g) },
  { def: DCGM.memCopyUtil, read: (r, g) => numeric(r, 'utilization.memory', g) },
  { def: DCGM.fbFree, read: (r, g) => numeric(r, 'memory.free', g) },
  { def: DCGM.fbUsed, read: (r, g) => numeric(r, 'memory.used', g) },
  { def: DCGM.fbReserved, read: reserved },
  { def: DCGM.uncorrectableRemappedRows, read: (r, g) => numeric(r, 'remapped_rows.uncorrectable', g) },
  { def: DCGM.correctableRemappedRows, read: (r, g) => numeric(r, 'remapped_rows.correctable', g) },
  { def: DCGM.rowRemapFailure, read: remapFailure },
  { def: DCGM.eccSbeVolatileTotal, read: (r, g) => numeric(r, 'ecc.errors.corrected.volatile.total', g) },
  { def: DCGM.eccDbeVolatileTotal, read: (r, g) => numeric(r, 'ecc.errors.uncorrected.volatile.total', g) },
];

/** nvidia-smi's ways of saying "no value": [N/A], [Not Supported], [Unknown Error], N/A, empty. */
function unavailable(raw: string): boolean {
  return raw === '' || raw === 'N/A' || (raw.startsWith('[') && raw.endsWith(']'));
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/; // linear: no nested or overlapping repetition

function numeric(row: Row, field: NvidiaSmiField, gpu: string): number | undefined {
  const raw = row.get(field);
  if (raw === undefined || unavailable(raw)) return undefined;
  if (!DECIMAL.test(raw)) throw new NvidiaSmiError('parse', `nvidia-smi: GPU ${gpu} ${field} is not a number: ${JSON.stringify(raw.slice(0, 40))}`);
  return Number(raw);
}

/** FB_RESERVED = total - used - free, as DCGM derives it; never negative (nvidia-smi rounds each figure). */
function reserved(row: Row, gpu: string): number | undefined {
  const total = numeric(row, 'memory.total', gpu);
  const used = numeric(row, 'memory.used', gpu);
  const free = numeric(row, 'memory.free', gpu);
  if (total === undefined || used === undefined || free === undefined) return undefined;
  return Math.max(0, total - used - free);
}

function remapFailure(row: Row, gpu: string): number | undefined {
  const raw = row.get('remapped_rows.failure');
  if (raw === undefined || unavailable(raw)) return undefined;
  const word = raw.toLowerCase();
  if (word === 'yes' || word === '1') return 1;
  if (word === 'no' || word === '0') return 0;
  throw new NvidiaSmiError('parse', `nvidia-smi: GPU ${gpu} remapped_rows.failure is neither yes nor no: ${JSON.stringify(raw.slice(0, 40))}`);
}

/**
 * Parses `--format=csv,noheader,nounits` output of a query for `fields` (default NVIDIA_SMI_FIELDS) into DCGM-named
 * families. Throws NvidiaSmiError('parse') on a row that does not fit the query.
 */
export function parseNvidiaSmiCsv(csv: string, hostname: string, fields: readonly NvidiaSmiField[] = NVIDIA_SMI_FIELDS): MetricFamily[] {
  for (const f of IDENTITY_FIELDS) if (!fields.includes(f)) throw new Error(`nvidia-smi query must include ${f}`);
  const nameColumn = fields.indexOf('name');
  const perMetric: Sample[][] = METRICS.map(() => []);
  const seen = new Set<string>();
  const lines = csv.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    let cells = line.split(',').map((c) => c.trim());
    // nvidia-smi does not quote: a comma can only come from the free-text GPU name, so extra cells go back into it.
    const extra = cells.length - fields.length;
    if (extra > 0) cells = [...cells.slice(0, nameColumn), cells.slice(nameColumn, nameColumn + extra + 1).join(', '), ...cells.slice(nameColumn + extra + 1)];
    if (cells.length !== fields.length) {
      throw new NvidiaSmiError('parse', `nvidia-smi line ${n + 1}: ${cells.length} values for ${fields.length} fields: ${JSON.stringify(line.slice(0, 80))}`);
    }
    const row = new Map(fields.map((f, i) => [f, cells[i]!]));
    const index = row.get('index')!;
    const uuid = row.get('uuid')!;
    if (!/^\d+$/.test(index)) throw new NvidiaSmiError('parse', `nvidia-smi line ${n + 1}: GPU index ${JSON.stringify(index.slice(0, 40))} is not a number`);
    if (unavailable(uuid)) throw new NvidiaSmiError('parse', `nvidia-smi line ${n + 1}: GPU ${index} has no UUID`);
    if (seen.has(index) || seen.has(uuid)) throw new NvidiaSmiError('parse', `nvidia-smi line ${n + 1}: GPU ${index} (${uuid}) listed twice`);
    seen.add(index).add(uuid);
    const labels: Record<string, string> = {
      gpu: index,
      UUID: uuid,
      pci_bus_id: row.get('pci.bus_id')!,
      device: `nvidia${index}`,
      modelName: row.get('name')!,
      ...(hostname !== '' && { Hostname: hostname }),
    };
    METRICS.forEach(({ def, read }, i) => {
      const value = read(row, index);
      if (value !== undefined) perMetric[i]!.push({ name: def.name, labels: { ...labels }, value });
    });
  }
  return METRICS.flatMap(({ def }, i) => {
    const samples = perMetric[i]!;
    return samples.length ? [{ name: def.name, type: def.type, help: def.help, samples }] : [];
  });
}

export interface CollectNvidiaSmiOptions {
  binary: string;
  /** For the whole collection, the retry included. */
  timeoutMs: number;
  /** The Hostname label value (dcgm-exporter's); '' leaves the label out, like its --no-hostname. */
  hostname: string;
  /** Aborting kills nvidia-smi and rejects with reason 'timeout' (the caller's deadline ran out). */
  signal?: AbortSignal;
}

type RunResult = { ok: true; stdout: string } | { ok: false; invalidField: string | undefined; message: string };

const INVALID_FIELD = /is not a valid field to query/i;

/**
 * Runs nvidia-smi and converts its output. If the driver rejects a field as "not a valid field to query" (older
 * drivers lack remapped_rows.*, some ecc.*), retries once without the optional ECC/row-remap fields and without the
 * field it named. Throws NvidiaSmiError: 'timeout' (slower than timeoutMs, or aborted), 'connection' (binary missing
 * or not executable, or nvidia-smi failing — e.g. "couldn't communicate with the NVIDIA driver"), 'too_large' (more
 * than NVIDIA_SMI_MAX_OUTPUT_BYTES of output), 'parse' (output that does not fit the query, or a field still
 * rejected after the retry).
 */
export async function collectNvidiaSmi(opts: CollectNvidiaSmiOptions): Promise<MetricFamily[]> {
  const deadline = Date.now() + opts.timeoutMs;
  let fields: readonly NvidiaSmiField[] = NVIDIA_SMI_FIELDS;
  let result = await runNvidiaSmi(opts.binary, nvidiaSmiArgs(fields), opts.timeoutMs, opts.signal);
  if (!result.ok) {
    const rejected = result.invalidField;
    if (rejected !== undefined && (IDENTITY_FIELDS as readonly string[]).includes(rejected)) throw new NvidiaSmiError('parse', result.message);
    fields = fields.filter((f) => !NVIDIA_SMI_OPTIONAL_FIELDS.includes(f) && f !== rejected);
    result = await runNvidiaSmi(opts.binary, nvidiaSmiArgs(fields), Math.max(1, deadline - Date.now()), opts.signal);
    if (!result.ok) throw new NvidiaSmiError('parse', `${result.message} (also after retrying without ${NVIDIA_SMI_OPTIONAL_FIELDS.join(', ')})`);
  }
  return parseNvidiaSmiCsv(result.stdout, opts.hostname, fields);
}

function runNvidiaSmi(binary: string, args: string[], timeoutMs: number, signal: AbortSignal | undefined): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new NvidiaSmiError('timeout', `${binary}: aborted before it ran`));
    let settled = false;
    const settle = (done: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      done();
    };
    const child = execFile(
      binary,
      args,
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: NVIDIA_SMI_MAX_OUTPUT_BYTES, windowsHide: true },
      (err, stdout, stderr) =>
        settle(() => {
          if (!err) return resolve({ ok: true, stdout });
          const e = err as ExecFileException;
          if (e.code === 'ENOENT') return reject(new NvidiaSmiError('connection', `${binary}: not found`));
          if (e.code === 'EACCES') return reject(new NvidiaSmiError('connection', `${binary}: not executable`));
          if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(new NvidiaSmiError('too_large', `${binary}: more than ${NVIDIA_SMI_MAX_OUTPUT_BYTES} bytes of output`));
          if (e.killed) return reject(new NvidiaSmiError('timeout', `${binary}: no answer within ${timeoutMs} ms`));
          const output = `${stderr}\n${stdout}`;
          const said = firstLine(output);
          if (INVALID_FIELD.test(output)) {
            const line = output.split('\n').find((l) => INVALID_FIELD.test(l)) ?? said;
            return resolve({ ok: false, invalidField: /"([^"\n]{1,100})"/.exec(line)?.[1], message: `${binary}: ${line.trim().slice(0, 200)}` });
          }
          const how = e.signal ? `killed by ${e.signal}` : `exited with ${String(e.code)}`;
          reject(new NvidiaSmiError('connection', `${binary}: ${how}${said ? `: ${said}` : ''}`));
        }),
    );
    // Our own deadline besides execFile's: execFile reports only once the killed child has exited, and an nvidia-smi
    // stuck in the driver (uninterruptible sleep, the usual way it hangs) does not exit on SIGKILL. The collection must
    // end on time regardless; the stuck process is left to the kernel. (Not reproducible in tests: no D state there.)
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(new NvidiaSmiError('timeout', `${binary}: no answer within ${timeoutMs} ms`)));
    }, timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGKILL');
      settle(() => reject(new NvidiaSmiError('timeout', `${binary}: aborted`)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}
