/**
 * Finds the functions a block attaches by BCC's naming conventions, as
 * BCC's Python front end does on load: the probe macros (TRACEPOINT_PROBE,
 * RAW_TRACEPOINT_PROBE, KFUNC_PROBE, KRETFUNC_PROBE, LSM_PROBE) and function
 * definitions named kprobe__X, kretprobe__X, tracepoint__CAT__EV,
 * raw_tracepoint__EV, kfunc__X, kretfunc__X, lsm__X.
 */
import { AttachSpec, type FunctionSite } from "./types.js";
import { blankCommentsAndStrings, closeParen } from "./source.js";

export type ConventionMatch = FunctionSite;

/** The probe macros and the function name each one defines (from bcc's helpers.h). */
const MACROS: Record<string, (args: string[]) => AttachSpec | undefined> = {
  TRACEPOINT_PROBE: ([cat, ev]) =>
    cat && ev ? { hook: "tracepoint", fn: `tracepoint__${cat}__${ev}`, category: cat, event: ev } : undefined,
  RAW_TRACEPOINT_PROBE: ([ev]) => (ev ? { hook: "raw_tracepoint", fn: `raw_tracepoint__${ev}`, event: ev } : undefined),
  KFUNC_PROBE: ([ev]) => (ev ? { hook: "kfunc", fn: `kfunc__${ev}`, target: ev, ret: false } : undefined),
  KRETFUNC_PROBE: ([ev]) => (ev ? { hook: "kfunc", fn: `kretfunc__${ev}`, target: ev, ret: true } : undefined),
  LSM_PROBE: ([ev]) => (ev ? { hook: "lsm", fn: `lsm__${ev}`, target: ev } : undefined),
};

/** A function name -> what its prefix asks for, as BCC's Python load_funcs does. */
export function attachForName(fn: string): AttachSpec | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^kprobe__(\w+)$/.exec(fn))) return { hook: "kprobe", fn, symbol: m[1], ret: false };
  if ((m = /^kretprobe__(\w+)$/.exec(fn))) return { hook: "kprobe", fn, symbol: m[1], ret: true };
  if ((m = /^tracepoint__([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)__(\w+)$/.exec(fn)))
    return { hook: "tracepoint", fn, category: m[1], event: m[2] };
  if ((m = /^raw_tracepoint__(\w+)$/.exec(fn))) return { hook: "raw_tracepoint", fn, event: m[1] };
  if ((m = /^kfunc__(\w+)$/.exec(fn))) return { hook: "kfunc", fn, target: m[1], ret: false };
  if ((m = /^kretfunc__(\w+)$/.exec(fn))) return { hook: "kfunc", fn, target: m[1], ret: true };
  if ((m = /^lsm__(\w+)$/.exec(fn))) return { hook: "lsm", fn, target: m[1] };
  return undefined;
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Every conventional attachment the C text defines, in source order, without
 * duplicates. `code` is the text with comments and strings blanked, when the
 * caller has it already.
 */
export function scanConventions(cText: string, code = blankCommentsAndStrings(cText)): ConventionMatch[] {
  const text = code;
  const found: ConventionMatch[] = [];
  const seen = new Set<string>();
  const add = (attach: AttachSpec | undefined, offset: number, brace: number) => {
    if (!attach || seen.has(attach.fn)) return;
    seen.add(attach.fn);
    found.push({ attach, line: lineAt(text, offset), brace });
  };
  const re = /\b(TRACEPOINT_PROBE|RAW_TRACEPOINT_PROBE|KFUNC_PROBE|KRETFUNC_PROBE|LSM_PROBE|(?:kprobe|kretprobe|tracepoint|raw_tracepoint|kfunc|kretfunc|lsm)__\w+)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const open = m.index + m[0].length - 1;
    const close = closeParen(text, open);
    if (close < 0) continue;
    // A definition is followed by its body; a call or declaration is not.
    const after = text.slice(close).match(/^\s*(\{)?/);
    if (!after?.[1]) continue;
    const brace = close + after[0].length - 1;
    const name = m[1];
    const macro = MACROS[name];
    if (macro) {
      const args = text.slice(open + 1, close - 1).split(",").map((s) => s.trim());
      add(macro(args), m.index, brace);
    } else {
      // Only a definition at top level: the name must follow a return type, not an operator.
      const before = text.slice(Math.max(0, m.index - 40), m.index);
      if (/[=(,!&|+\-]\s*$/.test(before)) continue;
      add(attachForName(name), m.index, brace);
    }
  }
  return found;
}
