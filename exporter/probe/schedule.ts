// A task repeated in the background on a jittered interval, one run at a time: the next run is timed from the start
// of the previous one (so a slow run does not shift the cadence) and never overlaps it. The timer is unref'd, so a
// schedule never keeps a process alive on its own, and stop() leaves no timer behind.
export class Schedule {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private current?: Promise<void>;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
    /** Share of the interval each wait varies by, either way (0.1: 54-66 s for 1 m). */
    private readonly jitter = 0.1,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts the schedule; the first run comes after `firstDelayMs` (jittered too). */
  start(firstDelayMs: number): void {
    this.arm(this.jittered(firstDelayMs));
  }

  /** Stops scheduling and resolves once a run under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = performance.now();
      this.current = this.task()
        .catch(() => undefined)
        .finally(() => {
          this.current = undefined;
          this.arm(Math.max(0, this.jittered(this.intervalMs) - (performance.now() - started)));
        });
    }, delayMs);
    this.timer.unref();
  }

  private jittered(ms: number): number {
    return ms * (1 + this.jitter * (2 * this.random() - 1));
  }
}
