/**
 * bpftrace's hist() and lhist() buckets as the HistogramData BCC-style
 * histograms are drawn from. hist() buckets are [0,0], [1,1], [2,3], [4,7]...:
 * bucket [2^(k-1), 2^k-1] is BCC's log2 slot k, and 0 shares slot 1 as it does
 * in BCC's "0 -> 1" row. lhist(v, min, max, step) buckets are [lo, lo+step-1]:
 * slot lo/step of a linear histogram with that step. What BCC's layout has no
 * row for (negative values of hist, lhist's below-min and at-or-above-max
 * buckets) is counted beside the buckets.
 */
import type { HistogramBucket } from "../../kernel/display/histogram.js";
import type { HistBucket } from "./json.js";

export interface HistBuckets {
  kind: "log2" | "linear";
  buckets: HistogramBucket[];
  linearStep?: number;
  /** hist(): negative values; lhist(): values below min. */
  below: bigint;
  /** lhist(): values at or above max. */
  above: bigint;
}

const big = (c: number | bigint): bigint => BigInt(c);

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/** Whether bounded buckets have hist()'s shape; for output whose program text did not say. */
export function looksLog2(raw: HistBucket[]): boolean {
  const bounded = raw.filter((b) => b.min !== undefined && b.max !== undefined);
  return bounded.every((b) => (b.min === 0 && b.max === 0) || (isPowerOfTwo(b.min!) && b.max === 2 * b.min! - 1));
}

function log2Slot(min: number): number {
  return min <= 1 ? 1 : Math.floor(Math.log2(min)) + 1;
}

export function histBuckets(raw: HistBucket[], kind: "log2" | "linear"): HistBuckets {
  let below = 0n;
  let above = 0n;
  const slots = new Map<number, bigint>();
  const bounded = raw.filter((b) => b.min !== undefined && b.max !== undefined);
  const step = kind === "linear" && bounded.length ? bounded[0].max! - bounded[0].min! + 1 : 1;
  for (const b of raw) {
    if (b.min === undefined) below += big(b.count);
    else if (b.max === undefined) above += big(b.count);
    else {
      const slot = kind === "log2" ? log2Slot(b.min) : Math.floor(b.min / step);
      slots.set(slot, (slots.get(slot) ?? 0n) + big(b.count));
    }
  }
  const buckets = [...slots].sort((a, b) => a[0] - b[0]).map(([index, count]) => ({ index, count }));
  return { kind, buckets, linearStep: kind === "linear" ? step : undefined, below, above };
}
