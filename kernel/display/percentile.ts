/**
 * Percentiles read off histogram buckets, for the "p99 over time" line of a
 * watch. A log2 bucket only bounds its values, so the answer is the bucket's
 * range; the chart uses its upper end, as latency tools conventionally do.
 */
import { toBigInt, type Count } from "./bcc-text.js";

export interface PercentileBucket {
  index: number;
  count: Count;
}

export interface Percentile {
  /** The bucket holding the p-th percentile value. */
  index: number;
  low: bigint;
  high: bigint;
}

/** Value range of a bucket: log2 as bcc prints it, linear as index*step .. (index+1)*step-1. */
export function bucketRange(kind: "log2" | "linear", index: number, linearStep = 1): { low: bigint; high: bigint } {
  if (kind === "linear") {
    const step = BigInt(Math.max(1, Math.trunc(linearStep)));
    return { low: BigInt(index) * step, high: (BigInt(index) + 1n) * step - 1n };
  }
  if (index <= 0) return { low: 0n, high: 0n };
  let low = (1n << BigInt(index)) >> 1n;
  const high = (1n << BigInt(index)) - 1n;
  if (low === high) low -= 1n;
  return { low, high };
}

/**
 * The bucket where the running count first reaches p percent of the total,
 * or undefined for an empty histogram. p is in [0, 100].
 */
export function percentile(
  buckets: PercentileBucket[],
  p: number,
  kind: "log2" | "linear" = "log2",
  linearStep = 1,
): Percentile | undefined {
  const sorted = [...buckets].sort((a, b) => a.index - b.index);
  const total = sorted.reduce((s, b) => s + toBigInt(b.count), 0n);
  if (total === 0n) return undefined;
  // Integer arithmetic: rank = ceil(total * p / 100), at least 1.
  const scaled = BigInt(Math.round(Math.min(100, Math.max(0, p)) * 1e6));
  let rank = (total * scaled + 100_000_000n - 1n) / 100_000_000n;
  if (rank < 1n) rank = 1n;
  let seen = 0n;
  for (const b of sorted) {
    seen += toBigInt(b.count);
    if (seen >= rank) return { index: b.index, ...bucketRange(kind, b.index, linearStep) };
  }
  const last = sorted[sorted.length - 1];
  return { index: last.index, ...bucketRange(kind, last.index, linearStep) };
}
