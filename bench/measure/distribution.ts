/** The shape of a set of samples: what every figure of the benchmark reports. */
export interface Distribution {
  readonly count: number;
  readonly median: number;
  /** The 99th percentile (nearest rank); equal to the maximum below 100 samples. */
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

function nearestRank(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

/** Summarises samples; throws on an empty set, which is always a bug in the scenario. */
export function summarize(samples: readonly number[]): Distribution {
  if (samples.length === 0) throw new Error('No samples to summarise');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { count: sorted.length, median, p99: nearestRank(sorted, 0.99), min: sorted[0]!, max: sorted[sorted.length - 1]! };
}
