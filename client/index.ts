// dgmon/client: a production-safe Deepgram transcription client for applications (hosted or self-hosted Deepgram):
// one client per process, 30 s timeouts, a concurrency cap, retries with backoff that honour Retry-After, a circuit
// breaker with a fallback hook, Prometheus metrics named in dgmon's catalogue, /health and /metrics handlers for
// express, and logs that never hold transcripts, audio or keys. The exporter's synthetic probe is built on it too.
export { TranscriptionClient, deepgramClient, type TranscriptionClientOptions, type TranscribeResult, type Fallback, type ClientHooks, type StreamFileOptions } from './client.ts';
export type { ClientOptions, RetryOptions, BreakerOptions, HealthOptions } from './options.ts';
export { DeepgramClientError, type FailureReason, type CallStatus } from './errors.ts';
export type { CircuitStateName, RetryEvent } from './resilience.ts';
export type { ListenParams, BatchAnswer } from './batch.ts';
export { LiveStream, type StreamAnswer, type StreamResult, type StreamHooks } from './stream.ts';
export type { HealthReport } from './health.ts';
export { healthHandler, metricsHandler } from './handlers.ts';
export { createClientLogger, REDACTED_FIELDS } from './log.ts';
export { ClientMetrics } from './metrics.ts';
export { synthesizeClip, SPOKEN_WORDS, type Clip, type ClipOptions } from '../core/audio/clip.ts';
