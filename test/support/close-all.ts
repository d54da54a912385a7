/**
 * Stops what a test stack started, last started first. Each stop is independent: one failing must not leave the
 * others running, so every one is awaited and the failures are reported together.
 */
export async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  const results = await Promise.allSettled([...closers].reverse().map((c) => c()));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new Error(`clean-up failed: ${failed.map((f) => String(f.reason)).join('; ')}`);
}
