/**
 * Histograms in BCC's text layout, character for character what bcc's
 * table.py prints (_print_log2_hist, _print_linear_hist, _stars), so a
 * notebook's text output can be diffed against a BCC tool's.
 */

export type Count = number | bigint;

const STARS_MAX = 40;

/** A count as an exact integer; fractions truncate as Python's %d does, NaN reads as 0. */
export function toBigInt(v: Count): bigint {
  if (typeof v === "bigint") return v;
  return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
}

/** Python's "%-Nd" / "%Nd" for an integer. */
function pad(v: Count | string, width: number, left: boolean): string {
  const s = String(v);
  return left ? s.padEnd(width) : s.padStart(width);
}

/**
 * Python's `width * val / val_max` (true division, correctly rounded even for
 * integers past 2^53): scale by 2^64, divide exactly, and keep a sticky bit so
 * the one rounding to a double happens as Python's does.
 */
function ratio(width: number, val: bigint, valMax: bigint): number {
  const SHIFT = 64n;
  const num = BigInt(width) * val << SHIFT;
  let q = num / valMax;
  if (q * valMax !== num) q |= 1n;
  return Number(q) / 2 ** 64;
}

/** bcc's _stars: a bar of `width` columns, "+" when the value is over the max. */
export function stars(val: Count, valMax: Count, width: number): string {
  const v = toBigInt(val);
  const m = toBigInt(valMax);
  const limit = ratio(width, v, m) - 1;
  let text = "";
  for (let i = 0; !(i > limit || i > width - 1); i++) text += "*";
  if (v > m) text = text.slice(0, -1) + "+";
  return text;
}

/** Dense counts by bucket index (what bcc's `vals` list holds). */
export function denseCounts(buckets: Iterable<{ index: number; count: Count }>, length = 0): bigint[] {
  const vals: bigint[] = new Array(length).fill(0n);
  for (const b of buckets) {
    while (vals.length <= b.index) vals.push(0n);
    vals[b.index] = toBigInt(b.count);
  }
  return vals;
}

function scan(vals: bigint[]): { idxMax: number; valMax: bigint } {
  let idxMax = -1;
  let valMax = 0n;
  vals.forEach((v, i) => {
    if (v > 0n) idxMax = i;
    if (v > valMax) valMax = v;
  });
  return { idxMax, valMax };
}

/** One printed row of a histogram: bucket index, value range, count. */
export interface HistRow {
  index: number;
  low: bigint;
  high: bigint;
  count: bigint;
}

export interface HistRows {
  rows: HistRow[];
  /** Largest count of any bucket (bucket 0 included), which scales the bars. */
  valMax: bigint;
  /** The last non-empty bucket; -1 when all are empty. */
  idxMax: number;
}

/**
 * The rows bcc prints, trimmed as bcc trims them: log2 starts at bucket 1
 * (bucket 0 never shows) and linear at 0; both stop at the last non-empty
 * bucket, and with stripLeadingZero start at the first non-empty one.
 */
export function histRows(vals: bigint[], kind: "log2" | "linear", stripLeadingZero = false): HistRows {
  const { idxMax, valMax } = scan(vals);
  const rows: HistRow[] = [];
  let strip = stripLeadingZero;
  for (let i = kind === "log2" ? 1 : 0; i <= idxMax; i++) {
    const count = vals[i] ?? 0n;
    if (strip && !count) continue;
    strip = false;
    if (kind === "log2") {
      let low = (1n << BigInt(i)) >> 1n;
      const high = (1n << BigInt(i)) - 1n;
      if (low === high) low -= 1n;
      rows.push({ index: i, low, high, count });
    } else {
      rows.push({ index: i, low: BigInt(i), high: BigInt(i), count });
    }
  }
  return { rows, valMax, idxMax };
}

/** The lines bcc's _print_log2_hist prints. */
export function log2HistLines(vals: bigint[], valType: string, stripLeadingZero = false): string[] {
  const { rows, valMax, idxMax } = histRows(vals, "log2", stripLeadingZero);
  const wide = idxMax > 32;
  const width = wide ? STARS_MAX / 2 : STARS_MAX;
  const out: string[] = [];
  if (idxMax > 0) {
    out.push(wide
      ? `               ${pad(valType, 29, true)} : count     distribution`
      : `     ${pad(valType, 19, true)} : count     distribution`);
  }
  for (const { low, high, count } of rows) {
    const bar = stars(count, valMax, width).padEnd(width);
    out.push(wide
      ? `${pad(low, 20, false)} -> ${pad(high, 20, true)} : ${pad(count, 8, true)} |${bar}|`
      : `${pad(low, 10, false)} -> ${pad(high, 10, true)} : ${pad(count, 8, true)} |${bar}|`);
  }
  return out;
}

/** The lines bcc's _print_linear_hist prints. */
export function linearHistLines(vals: bigint[], valType: string, stripLeadingZero = false): string[] {
  const { rows, valMax, idxMax } = histRows(vals, "linear", stripLeadingZero);
  const out: string[] = [];
  if (idxMax >= 0) out.push(`     ${pad(valType, 13, true)} : count     distribution`);
  for (const { index, count } of rows) {
    out.push(`        ${pad(index, 10, true)} : ${pad(count, 8, true)} |${stars(count, valMax, STARS_MAX).padEnd(STARS_MAX)}|`);
  }
  return out;
}

/** bcc's "\n%s = %s" line before each section of a sectioned histogram. */
export function sectionLines(sectionHeader: string, section: string): string[] {
  return ["", `${sectionHeader} = ${section}`];
}
