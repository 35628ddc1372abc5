/**
 * The tracepoints tracefs lists (events/CATEGORY/EVENT/format) and their
 * argument formats. The directory walk is done once per kernel process;
 * a format is read when first asked for and kept.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface TracepointField {
  /** C type with any array suffix, as the format gives it: `char prev_comm[16]` -> type `char[16]`. */
  type: string;
  name: string;
  offset: number;
  size: number;
  signed: boolean;
}

export interface Tracepoint {
  category: string;
  event: string;
}

const ROOTS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

let root: string | undefined;
let walked: Tracepoint[] | undefined;
const formats = new Map<string, TracepointField[] | null>();

/** The mounted tracefs, or undefined. */
export function tracefsRoot(): string | undefined {
  root ??= ROOTS.find((r) => existsSync(join(r, "events")));
  return root;
}

/** Every tracepoint, sorted by category then event; [] without tracefs. */
export function tracepoints(): Tracepoint[] {
  if (walked) return walked;
  const r = tracefsRoot();
  const out: Tracepoint[] = [];
  if (r) {
    const events = join(r, "events");
    for (const cat of readdirSync(events, { withFileTypes: true })) {
      if (!cat.isDirectory()) continue;
      for (const ev of readdirSync(join(events, cat.name), { withFileTypes: true })) if (ev.isDirectory()) out.push({ category: cat.name, event: ev.name });
    }
  }
  out.sort((a, b) => (a.category === b.category ? (a.event < b.event ? -1 : 1) : a.category < b.category ? -1 : 1));
  walked = out;
  return out;
}

export function categories(): string[] {
  return [...new Set(tracepoints().map((t) => t.category))];
}

export function eventsOf(category: string): string[] {
  return tracepoints()
    .filter((t) => t.category === category)
    .map((t) => t.event);
}

/** Parses one `field:TYPE NAME;\toffset:N;\tsize:N;\tsigned:N;` line. */
export function parseFieldLine(line: string): TracepointField | undefined {
  const m = /^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/.exec(line);
  if (!m) return undefined;
  const decl = m[1].trim();
  // "char prev_comm[16]", "__data_loc char[] name", "const char * name", "unsigned long args[6]"
  const d = /^(.*?)([A-Za-z_]\w*)\s*((?:\[[^\]]*\])*)$/.exec(decl);
  if (!d) return undefined;
  const type = `${d[1].trim()}${d[3]}`.replace(/\s+\*/g, " *");
  return { type, name: d[2], offset: Number(m[2]), size: Number(m[3]), signed: m[4] === "1" };
}

/**
 * The fields of a tracepoint without the common_ ones, in order; undefined
 * when tracefs has no such tracepoint (or its format cannot be read).
 */
export function tracepointFields(category: string, event: string): TracepointField[] | undefined {
  const key = `${category}:${event}`;
  if (formats.has(key)) return formats.get(key) ?? undefined;
  const r = tracefsRoot();
  let fields: TracepointField[] | null = null;
  if (r && !/[/\\]|^\.\.?$/.test(category) && !/[/\\]|^\.\.?$/.test(event)) {
    try {
      const text = readFileSync(join(r, "events", category, event, "format"), "utf8");
      fields = text
        .split("\n")
        .map(parseFieldLine)
        .filter((f): f is TracepointField => !!f && !f.name.startsWith("common_"));
    } catch {
      fields = null;
    }
  }
  formats.set(key, fields);
  return fields ?? undefined;
}

/** `TYPE NAME` the way C declares it: `char prev_comm[16]`. */
export function declaration(f: TracepointField): string {
  const arr = /((?:\[[^\]]*\])+)$/.exec(f.type);
  const base = arr ? f.type.slice(0, -arr[1].length) : f.type;
  return `${base}${base.endsWith("*") ? "" : " "}${f.name}${arr ? arr[1] : ""}`;
}
