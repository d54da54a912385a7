// Prometheus duration strings ("30s", "5m", "1h30m"), the unit every window, `for:` and interval in dgmon.yaml uses.

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** The same grammar Prometheus accepts: one or more <integer><unit> parts, largest unit first. */
export const DURATION_PATTERN = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

export function isDuration(text: string): boolean {
  return text !== '' && DURATION_PATTERN.test(text);
}

export function durationSeconds(text: string): number {
  if (!isDuration(text)) throw new Error(`"${text}" is not a Prometheus duration such as 30s, 5m or 1h`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(amount) * UNIT_SECONDS[unit!]!;
  return total;
}

/**
 * A duration in whole milliseconds, for timers and AbortSignal.timeout, which refuse fractions: 0.7 s × 1000 is
 * 700.0000000000001 in floating point.
 */
export function durationMilliseconds(text: string): number {
  return Math.round(durationSeconds(text) * 1000);
}

/** Renders seconds as the shortest Prometheus duration ("90" → "1m30s"). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = Math.round(seconds * 1000);
  let out = '';
  for (const [unit, size] of [['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
