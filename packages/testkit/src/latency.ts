// Simulated network and server latency for the stand-ins (benchmarks use 50-150 ms, as a real
// API across the internet answers), picked per request.

/** A fixed delay in milliseconds, or a uniform random one between `min` and `max`. */
export type Latency = number | { min: number; max: number };

/** Checks a latency option once, at start-up, so a typo fails loudly instead of meaning "no delay". */
export function checkLatency(latency: Latency | undefined, owner: string): void {
  if (latency === undefined) return;
  const values = typeof latency === 'number' ? [latency] : [latency.min, latency.max];
  if (values.some((v) => !Number.isFinite(v) || v < 0) || (typeof latency !== 'number' && latency.min > latency.max)) {
    throw new Error(
      `${owner}: latencyMs must be a number >= 0 or { min, max } with 0 <= min <= max, got ${JSON.stringify(latency)}`,
    );
  }
}

/** One request's delay in milliseconds (0 when no latency is configured). */
export function latencyOf(latency: Latency | undefined, random: () => number = Math.random): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  return latency.min + random() * (latency.max - latency.min);
}
