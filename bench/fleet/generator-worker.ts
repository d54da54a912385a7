// The worker thread behind FleetGenerator (generator.ts): holds one SyntheticFleet and writes the ranges asked for.
import { parentPort, workerData } from 'node:worker_threads';
import { writeOpenMetrics } from './openmetrics.ts';
import { SyntheticFleet, type FleetOptions } from './synthetic.ts';
import type { WriteRequest, WorkerMessage } from './generator.ts';

const fleet = new SyntheticFleet(workerData as FleetOptions);
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

// One request at a time: the fleet's models only move forward.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (request: WriteRequest) => {
  queue = queue.then(async () => {
    try {
      const files = await writeOpenMetrics(fleet, request.range, (file) => post({ id: request.id, kind: 'file', file }));
      post({ id: request.id, kind: 'done', files, last: fleet.last });
    } catch (err) {
      post({ id: request.id, kind: 'error', message: (err as Error).stack ?? String(err) });
    }
  });
});
