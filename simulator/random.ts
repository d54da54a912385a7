// Seeded pseudo-randomness: the simulator never calls Math.random, so the same clock readings give the same output.
// A stateful generator drives the traffic model (one draw sequence, advanced tick by tick in order), and a stateless
// hash gives per-second jitter to gauges, so a gauge's value depends only on the second it is read in.

/** mulberry32: a small, fast 32-bit generator; returns numbers in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's finaliser: mixes one 32-bit word well. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable 32-bit hash of a string (FNV-1a, finalised). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix(h);
}

/** A value in [0, 1) determined only by its integer key parts. */
export function noise(seed: number, ...parts: number[]): number {
  let h = seed >>> 0;
  for (const part of parts) h = fmix(h ^ fmix((part | 0) + 0x9e3779b9));
  return h / 4294967296;
}

/** A value in [-1, 1) determined only by its key parts. */
export function signedNoise(seed: number, ...parts: number[]): number {
  return noise(seed, ...parts) * 2 - 1;
}

/** A standard normal draw (Box-Muller) from two uniform draws. */
export function normal(rng: () => number): number {
  const u = 1 - rng(); // (0, 1]: log(0) is never taken
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal draw with the given median and log-space spread, clamped to [min, max]. */
export function logNormal(rng: () => number, median: number, sigma: number, min = 0, max = Infinity): number {
  const value = median * Math.exp(sigma * normal(rng));
  return Math.min(max, Math.max(min, value));
}
