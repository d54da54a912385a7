// The synthetic fleet in a worker thread: generating the samples allocates hundreds of millions of short-lived
// objects, which a larger young generation than the main thread's default collects far more cheaply; the main thread
// stays free to run promtool and Prometheus meanwhile. The fleet lives as long as the generator, so a later range
// (the top-up to the present) continues the same counters.
import { Worker } from 'node:worker_threads';
import type { FleetOptions } from './synthetic.ts';
import type { WrittenFile } from './openmetrics.ts';

export interface WriteRange {
  fromS: number;
  toS: number;
  stepS: number;
  dir: string;
  prefix: string;
}

export interface WriteRequest {
  id: number;
  range: WriteRange;
}

export type WorkerMessage =
  | { id: number; kind: 'file'; file: WrittenFile }
  | { id: number; kind: 'done'; files: WrittenFile[]; last: number | undefined }
  | { id: number; kind: 'error'; message: string };

const YOUNG_GENERATION_MB = 256;

export class FleetGenerator {
  private readonly worker: Worker;
  private next = 0;
  private readonly pending = new Map<number, { onFile: (f: WrittenFile) => void; resolve: (f: WrittenFile[]) => void; reject: (e: Error) => void }>();
  /** The last moment written (unix seconds). */
  last: number | undefined;

  constructor(readonly options: FleetOptions) {
    // A worker does not inherit tsx's loader: it registers it, then loads the TypeScript entry.
    const entry = new URL('./generator-worker.ts', import.meta.url).href;
    const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    this.worker = new Worker(bootstrap, { eval: true, workerData: options, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker.on('message', (m: WorkerMessage) => {
      const request = this.pending.get(m.id);
      if (!request) return;
      if (m.kind === 'file') return request.onFile(m.file);
      this.pending.delete(m.id);
      if (m.kind === 'done') {
        this.last = m.last;
        request.resolve(m.files);
      } else request.reject(new Error(`fleet generator: ${m.message}`));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`fleet generator exited with code ${code}`)));
  }

  /** Writes the fleet's samples over `range` (after everything written before), handing over each finished file. */
  write(range: WriteRange, onFile: (file: WrittenFile) => void): Promise<WrittenFile[]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { onFile, resolve, reject });
      this.worker.postMessage({ id, range } satisfies WriteRequest);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const request of this.pending.values()) request.reject(err);
    this.pending.clear();
  }
}
