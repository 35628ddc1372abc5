/**
 * Completion and inspection of what probes name inside a %%bpf block and on
 * its header line: TRACEPOINT_PROBE categories and events, `args->` fields of
 * the enclosing tracepoint with their C types, RAW_TRACEPOINT_PROBE names,
 * header options and the symbols of an `--uprobe BINARY:`.
 */
import { statSync } from "node:fs";
import type { CompletionResult, InspectResult } from "../../kernel/plugin.js";
import { HEADER_OPTIONS } from "../spec/header.js";
import { rawTracepointArgs, rawTracepointNames } from "./btf-funcs.js";
import { resolveBinary } from "./binary-path.js";
import { withElf } from "./elf.js";
import { categories, declaration, eventsOf, tracepointFields, tracepoints, type TracepointField } from "./tracefs.js";

/** At most this many matches go back: a client shows a list, not 50,000 names. */
const MAX_MATCHES = 2000;

const pick = (pool: Iterable<string>, prefix: string) => [...new Set(pool)].filter((n) => n.startsWith(prefix)).sort().slice(0, MAX_MATCHES);

/** The tracepoint of the last TRACEPOINT_PROBE (or tracepoint__CAT__EV function) opened before `at`. */
function enclosingTracepoint(body: string, at: number): { category: string; event: string } | undefined {
  const re = /\bTRACEPOINT_PROBE\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)|\btracepoint__([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)__(\w+)\s*\(/g;
  let found: { category: string; event: string } | undefined;
  for (const m of body.slice(0, at).matchAll(re)) {
    // RAW_TRACEPOINT_PROBE(x) ends in TRACEPOINT_PROBE( too, but has one argument and no match here
    if (m[1]) found = { category: m[1], event: m[2] };
    else found = { category: m[3], event: m[4] };
  }
  return found;
}

/** Completion for a probe context around `cursor`, or undefined when the cursor is in none. */
export function completeProbeContext(body: string, cursor: number): CompletionResult | undefined {
  const before = body.slice(0, cursor);
  let m: RegExpExecArray | null;
  if ((m = /\bRAW_TRACEPOINT_PROBE\s*\(\s*(\w*)$/.exec(before))) {
    const names = rawTracepointNames();
    return { matches: pick(names.length ? names : tracepoints().map((t) => t.event), m[1]), cursorStart: cursor - m[1].length, cursorEnd: cursor };
  }
  if ((m = /(?<!RAW_)\bTRACEPOINT_PROBE\s*\(\s*(\w*)$/.exec(before)))
    return { matches: pick(categories(), m[1]), cursorStart: cursor - m[1].length, cursorEnd: cursor };
  if ((m = /(?<!RAW_)\bTRACEPOINT_PROBE\s*\(\s*(\w+)\s*,\s*(\w*)$/.exec(before)))
    return { matches: pick(eventsOf(m[1]), m[2]), cursorStart: cursor - m[2].length, cursorEnd: cursor };
  if ((m = /\bargs\s*->\s*(\w*)$/.exec(before))) {
    const tp = enclosingTracepoint(body, cursor - m[0].length);
    const fields = tp ? tracepointFields(tp.category, tp.event) ?? [] : [];
    return { matches: pick(fields.map((f) => f.name), m[1]), cursorStart: cursor - m[1].length, cursorEnd: cursor };
  }
  return undefined;
}

function fieldDoc(tp: { category: string; event: string }, f: TracepointField): InspectResult {
  const decl = declaration(f);
  const where = `tracepoint ${tp.category}:${tp.event}, offset ${f.offset}, size ${f.size}${f.signed ? ", signed" : ""}`;
  const data: Record<string, unknown> = { "text/plain": `${decl}\n\n${where}`, "text/markdown": `\`\`\`c\n${decl}\n\`\`\`\n\n${where}` };
  if (decl.startsWith("__data_loc")) {
    const note = "A __data_loc field holds offset and length of data stored after the record: read it with TP_DATA_LOC_READ*(dst, field, length).";
    data["text/plain"] += `\n${note}`;
    data["text/markdown"] += `\n\n${note}`;
  }
  return { found: true, data };
}

function formatDoc(title: string, lines: string[]): InspectResult {
  const text = lines.length ? lines.join(";\n") + ";" : "(no fields)";
  return { found: true, data: { "text/plain": `${title}\n\n${text}`, "text/markdown": `${title}\n\n\`\`\`c\n${text}\n\`\`\`` } };
}

/** Inspection of an `args->FIELD`, or of a tracepoint named in a probe macro; undefined elsewhere. */
export function inspectProbeContext(body: string, start: number, end: number): InspectResult | undefined {
  const word = body.slice(start, end);
  if (!word) return undefined;
  const before = body.slice(0, start);
  if (/\bargs\s*->\s*$/.test(before)) {
    const tp = enclosingTracepoint(body, start);
    const f = tp && tracepointFields(tp.category, tp.event)?.find((x) => x.name === word);
    return tp && f ? fieldDoc(tp, f) : { found: false, data: {} };
  }
  const tail = body.slice(start);
  let m: RegExpExecArray | null;
  if ((m = /\bRAW_TRACEPOINT_PROBE\s*\(\s*$/.exec(before))) {
    const args = rawTracepointArgs(word);
    return args ? formatDoc(`raw tracepoint ${word}: ctx->args[i] are`, args.map((a, i) => `[${i}] ${a.type}${a.type.endsWith("*") ? "" : " "}${a.name}`)) : { found: false, data: {} };
  }
  const cat = /(?<!RAW_)\bTRACEPOINT_PROBE\s*\(\s*(\w+)\s*,\s*$/.exec(before);
  const ev = /(?<!RAW_)\bTRACEPOINT_PROBE\s*\(\s*$/.test(before) ? /^\w+\s*,\s*(\w+)/.exec(tail) : null;
  if ((m = cat)) {
    const fields = tracepointFields(m[1], word);
    return fields ? formatDoc(`tracepoint ${m[1]}:${word}: args->`, fields.map(declaration)) : { found: false, data: {} };
  }
  if (ev) {
    const fields = tracepointFields(word, ev[1]);
    return fields ? formatDoc(`tracepoint ${word}:${ev[1]}: args->`, fields.map(declaration)) : { found: false, data: {} };
  }
  return undefined;
}

const symbolCache = new Map<string, { mtimeMs: number; names: string[] }>();

/** Function symbols of a binary, cached while its file is unchanged; [] when it cannot be read. */
function symbolsOf(binary: string): string[] {
  try {
    const path = resolveBinary(binary);
    const mtimeMs = statSync(path).mtimeMs;
    const hit = symbolCache.get(path);
    if (hit && hit.mtimeMs === mtimeMs) return hit.names;
    const names = withElf(path, (elf) => elf.functions().map((s) => s.name));
    symbolCache.set(path, { mtimeMs, names });
    return names;
  } catch {
    return [];
  }
}

/**
 * Completion on a `%%bpf` header line. `args` is the text after `%%bpf`,
 * `cursor` an offset into it.
 */
export function completeHeader(args: string, cursor: number): CompletionResult {
  const before = args.slice(0, cursor);
  const words = before.split(/\s+/);
  const word = words[words.length - 1];
  const start = cursor - word.length;
  const none = { matches: [], cursorStart: cursor, cursorEnd: cursor };
  let opt = words.length >= 2 ? words[words.length - 2] : "";
  let value = word;
  let valueStart = start;
  const eq = /^(--[\w-]+)=/.exec(word);
  if (eq && eq[1] in HEADER_OPTIONS) {
    opt = eq[1];
    value = word.slice(eq[0].length);
    valueStart = start + eq[0].length;
  } else if (word.startsWith("-")) return { matches: pick(Object.keys(HEADER_OPTIONS), word), cursorStart: start, cursorEnd: cursor };
  switch (opt) {
    case "--uprobe":
    case "--uretprobe": {
      const colon = value.lastIndexOf(":");
      if (colon <= 0 || value.includes("=")) return none;
      const prefix = value.slice(colon + 1);
      return { matches: pick(symbolsOf(value.slice(0, colon)), prefix), cursorStart: valueStart + colon + 1, cursorEnd: cursor };
    }
    case "--tracepoint": {
      if (value.includes("=")) return none;
      const colon = value.indexOf(":");
      if (colon < 0) return { matches: pick(categories(), value).map((c) => `${c}:`), cursorStart: valueStart, cursorEnd: cursor };
      return { matches: pick(eventsOf(value.slice(0, colon)), value.slice(colon + 1)), cursorStart: valueStart + colon + 1, cursorEnd: cursor };
    }
    case "--raw-tracepoint":
      if (value.includes("=")) return none;
      return { matches: pick(rawTracepointNames(), value), cursorStart: valueStart, cursorEnd: cursor };
    default:
      return none;
  }
}
