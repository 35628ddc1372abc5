/**
 * "did you mean %bps?" for a mistyped magic: the registered spellings nearest
 * by edit distance, counting a swap of two neighbours as one edit (the common
 * slip, %bsp for %bps).
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest spellings (at most three), when close enough to be a slip rather than another word. */
export function nearest(written: string, known: string[]): string[] {
  const name = written.replace(/^%+/, "").toLowerCase();
  const limit = Math.max(1, Math.floor(name.length / 3));
  const scored = known
    .map((k) => ({ k, d: editDistance(name, k.replace(/^%+/, "").toLowerCase()) + (k.startsWith("%%") === written.startsWith("%%") ? 0 : 0.5) }))
    .filter((s) => s.d <= limit + 0.5)
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k));
  if (!scored.length) return [];
  return scored.filter((s) => s.d === scored[0].d).slice(0, 3).map((s) => s.k);
}
