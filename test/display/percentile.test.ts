import { describe, expect, it } from "vitest";
import { bucketRange, percentile } from "../../kernel/display/index.js";

describe("percentile", () => {
  const b = (counts: number[]) => counts.map((count, index) => ({ index, count }));

  it("finds the bucket where the running count reaches p percent", () => {
    // 100 events: 50 in bucket 3 (4..7), 40 in bucket 5 (16..31), 10 in bucket 9 (256..511).
    const h = b([0, 0, 0, 50, 0, 40, 0, 0, 0, 10]);
    expect(percentile(h, 50)).toEqual({ index: 3, low: 4n, high: 7n });
    expect(percentile(h, 50.5)).toEqual({ index: 5, low: 16n, high: 31n });
    expect(percentile(h, 90)).toEqual({ index: 5, low: 16n, high: 31n });
    expect(percentile(h, 99)).toEqual({ index: 9, low: 256n, high: 511n });
    expect(percentile(h, 0)).toEqual({ index: 3, low: 4n, high: 7n });
    expect(percentile(h, 100)).toEqual({ index: 9, low: 256n, high: 511n });
    expect(percentile(b([0, 0]), 50)).toBeUndefined();
  });

  it("reads linear buckets with their step and exact 64-bit counts", () => {
    expect(percentile([{ index: 2, count: 2n ** 62n }, { index: 7, count: 2n ** 62n }], 75, "linear", 10)).toEqual({ index: 7, low: 70n, high: 79n });
    expect(bucketRange("log2", 1)).toEqual({ low: 0n, high: 1n });
    expect(bucketRange("log2", 64)).toEqual({ low: 2n ** 63n, high: 2n ** 64n - 1n });
  });
});
