// How every call to Deepgram is guarded, with cockatiel's policies in this order (outermost first):
//   concurrency cap (bulkhead) → retry (exponential backoff with jitter, or the 429's Retry-After) →
//   circuit breaker → timeout → the call.
// The cap holds a slot across a call's retries, so Deepgram never sees more than the cap from this process; the
// breaker sees each attempt, so a failing API opens it within one request's retries; the timeout is per attempt.
import {
  BulkheadPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  decorrelatedJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import type { CIRCUIT_STATES } from '../core/catalog/index.ts';
import { DeepgramClientError } from './errors.ts';
import type { ResolvedOptions } from './options.ts';

export type CircuitStateName = (typeof CIRCUIT_STATES)[number];

export const CIRCUIT_STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  /** How long the client waits before it: the backoff, or the 429's Retry-After. */
  delayMs: number;
  error: DeepgramClientError;
}

export interface ResilienceEvents {
  onRetry?(event: RetryEvent): void;
  onCircuitState?(state: CircuitStateName): void;
}

type Ctx = IRetryBackoffContext<unknown>;

/** Waits what a 429's Retry-After asks for; otherwise the exponential backoff's next step. */
class RetryAfterBackoff implements IBackoff<Ctx> {
  constructor(
    private readonly inner: IBackoffFactory<Ctx>,
    readonly duration: number,
  ) {}

  static first(inner: IBackoffFactory<Ctx>, context: Ctx): RetryAfterBackoff {
    const step = inner.next(context) as IBackoff<Ctx>;
    return new RetryAfterBackoff(step, retryAfterMs(context) ?? step.duration);
  }

  next(context: Ctx): RetryAfterBackoff {
    return RetryAfterBackoff.first(this.inner, context);
  }
}

function retryAfterMs(context: Ctx): number | undefined {
  const error = 'error' in context.result ? context.result.error : undefined;
  return error instanceof DeepgramClientError && error.status === 429 && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : undefined;
}

/** The guard for one kind of call (batch requests or stream connections); both share one circuit breaker. */
export class Guard {
  constructor(
    private readonly cap: BulkheadPolicy,
    private readonly retrier: RetryPolicy,
    private readonly breaker: CircuitBreakerPolicy,
    private readonly deadline: TimeoutPolicy,
  ) {}

  /**
   * Runs `call` under every policy. `call` gets an AbortSignal that fires on the timeout; whatever it throws must
   * already be a DeepgramClientError. Locally refused calls become DeepgramClientError too (circuit_open, queue_full).
   */
  async run<T>(call: (signal: AbortSignal, attempt: number) => Promise<T>, hold?: (value: T) => Promise<void>, cancel?: AbortSignal): Promise<T> {
    try {
      // `cancel` reaches every policy, so aborting it ends the call in flight, not only the next attempt.
      return await this.cap.execute(async ({ signal: held }) => {
        const value = await this.retrier.execute(({ attempt, signal: retried }) =>
          this.breaker.execute(({ signal: guarded }) =>
            this.deadline.execute((_context, signal) => call(signal, attempt), guarded).catch((err: unknown) => {
              if (cancel?.aborted) throw new DeepgramClientError('connection', 'the call was cancelled by the caller');
              // instanceof, not isTaskCancelledError: cockatiel 3.2.1's guard tests the bulkhead error's marker.
              if (err instanceof TaskCancelledError) throw new DeepgramClientError('timeout', 'Deepgram did not answer within the timeout');
              throw err;
            }),
            retried,
          ),
          held,
        );
        if (hold) await hold(value);
        return value;
      }, cancel);
    } catch (err) {
      if (isBrokenCircuitError(err)) throw new DeepgramClientError('circuit_open', 'Deepgram circuit breaker is open: the call was not sent', { cause: err });
      if (isBulkheadRejectedError(err)) throw new DeepgramClientError('queue_full', 'Too many Deepgram calls waiting: the call was not sent', { cause: err });
      throw err;
    }
  }

  /** Like run, but the concurrency slot stays taken until `lifetime` settles (a stream holds it while open). */
  open<T>(call: (signal: AbortSignal, attempt: number) => Promise<T>, lifetime: (value: T) => Promise<unknown>, cancel?: AbortSignal): Promise<T> {
    return new Promise((resolve, reject) => {
      this.run(
        call,
        async (value) => {
          resolve(value);
          await lifetime(value).catch(() => undefined);
        },
        cancel,
      ).catch(reject);
    });
  }
}

export interface Guards {
  batch: Guard;
  stream: Guard;
  breaker: CircuitBreakerPolicy;
  /** Stops the pending trial timer (for shutdown). */
  close(): void;
}

/**
 * A cheap call that tells whether Deepgram answers again (the health endpoint): throws a server-side
 * DeepgramClientError when it does not.
 */
export type Trial = (signal: AbortSignal) => Promise<void>;

export function createGuards(options: ResolvedOptions, events: ResilienceEvents, trial?: Trial): Guards {
  const breaker = circuitBreaker(
    handleWhen((err) => err instanceof DeepgramClientError && err.serverSide),
    { halfOpenAfter: options.breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breaker.consecutiveFailures) },
  );
  breaker.onStateChange((state) => events.onCircuitState?.(CIRCUIT_STATE_NAMES[state]));
  // cockatiel leaves an open breaker open until the next call: an application that stopped sending (because the
  // circuit refused it, or at night) would report `open` for ever after Deepgram recovered, and its
  // DeepgramHealthCheckFailing would keep paging. Once halfOpenAfter has passed, the trial call goes through the
  // breaker itself: it half-opens, and closes on success or opens again (and the next trial is scheduled) on failure.
  let trialTimer: NodeJS.Timeout | undefined;
  let closed = false;
  if (trial) {
    breaker.onStateChange((state) => {
      clearTimeout(trialTimer);
      if (state !== CircuitState.Open || closed) return;
      // +1 ms: cockatiel lets the trial through once halfOpenAfter has passed by its Date.now(), which a timer of
      // exactly that length may miss by a rounding millisecond.
      trialTimer = setTimeout(() => {
        if (breaker.state !== CircuitState.Open) return;
        breaker.execute(({ signal }) => trial(signal)).catch(() => undefined);
      }, options.breaker.halfOpenAfterMs + 1);
      trialTimer.unref(); // a pending trial never keeps the process alive
    });
  }
  const exponential = new ExponentialBackoff({
    initialDelay: options.retry.initialDelayMs,
    maxDelay: options.retry.maxDelayMs,
    generator: decorrelatedJitterGenerator,
  }) as IBackoffFactory<Ctx>;
  const retryable = (err: Error) =>
    err instanceof DeepgramClientError &&
    err.retryable &&
    !(err.status === 429 && (err.retryAfterSeconds ?? 0) * 1000 > options.retry.maxRetryAfterMs);
  const guard = (slots: number): Guard => {
    const retrier = retry(handleWhen(retryable), {
      maxAttempts: options.retry.maxRetries,
      backoff: { next: (context: Ctx) => RetryAfterBackoff.first(exponential, context) },
    });
    retrier.onRetry((event) => {
      if ('error' in event && event.error instanceof DeepgramClientError) events.onRetry?.({ attempt: event.attempt, delayMs: event.delay, error: event.error });
    });
    return new Guard(bulkhead(slots, options.maxQueued), retrier, breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  };
  return {
    batch: guard(options.maxConcurrentRequests),
    stream: guard(options.maxConcurrentStreams),
    breaker,
    close() {
      closed = true;
      clearTimeout(trialTimer);
    },
  };
}
