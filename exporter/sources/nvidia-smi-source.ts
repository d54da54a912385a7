// The nvidia-smi collector as an exporter source: GPU stats under dcgm-exporter's names on hosts without it.
import { hostname } from 'node:os';
import { collectNvidiaSmi } from './nvidia-smi.ts';
import { SourceError, type FailureReason } from '../fetch.ts';
import type { Source } from './types.ts';

export function nvidiaSmiSource(binary: string, timeoutMs: number): Source {
  const host = hostname();
  return {
    name: 'nvidia_smi',
    target: binary,
    async collect(signal) {
      try {
        return await collectNvidiaSmi({ binary, timeoutMs, hostname: host, signal });
      } catch (err) {
        const reason = (err as { reason?: FailureReason }).reason ?? 'parse';
        throw new SourceError(signal.aborted ? 'timeout' : reason, (err as Error).message);
      }
    },
  };
}
