/**
 * bpftrace says "attached_probes" before it attaches them, and runs BEGIN
 * once every probe is attached: a line printed from BEGIN is the sign that
 * tracing has started, after which a workload is seen in full. A program
 * without BEGIN gets one after its last line (no line of the user's moves); a
 * program with `BEGIN {` gets the printf at the start of that block, and the
 * columns after it on that line are given back in diagnostics.
 */
export const ATTACHED_LINE = "__ibcc_bpftrace_attached__";
const PRINT = `printf("${ATTACHED_LINE}\\n"); `;

export interface Marked {
  text: string;
  /** Whether the marker is a BEGIN probe of our own (one more probe than the user wrote). */
  ownProbe: boolean;
  /** Where text went into a line of the user's (1-based line, 0-based column), and how long it is. */
  inserted?: { line: number; column: number; length: number };
}

export function withAttachedMarker(program: string): Marked | undefined {
  const begin = /(^|[\s},;])BEGIN\s*\{/.exec(program);
  if (!begin) {
    if (/\bBEGIN\b/.test(program)) return undefined;
    return { text: `${program}\nBEGIN { ${PRINT}}`, ownProbe: true };
  }
  const at = begin.index + begin[0].length;
  const before = program.slice(0, at);
  const line = before.split("\n").length;
  const column = at - (before.lastIndexOf("\n") + 1);
  return { text: before + PRINT + program.slice(at), ownProbe: false, inserted: { line, column, length: PRINT.length } };
}
