/** Summaries of repeated measurements. */

export function min(samples: number[]): number {
  return samples.length ? Math.min(...samples) : NaN;
}

export function median(samples: number[]): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Milliseconds since an arbitrary start, with sub-microsecond resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs fn reps times and returns each duration in milliseconds. */
export async function timeEach(reps: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = nowMs();
    await fn();
    out.push(nowMs() - t0);
  }
  return out;
}

export function rssMb(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}
