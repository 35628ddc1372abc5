/**
 * One line of `bpftrace -f json` output as a typed record. bpftrace 0.17 writes
 * one JSON object per line: {"type": "attached_probes" | "map" | "hist" |
 * "stats" | "printf" | "time" | "lost_events" | ..., "data": ...}; blank lines
 * separate the map dump at exit. Counters past 2^53 would lose digits in
 * JSON.parse, so long integer literals are read as bigint.
 */

export type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };

/** One bucket of a hist/lhist: [min, max] inclusive; an open end is absent. */
export interface HistBucket {
  min?: number;
  max?: number;
  count: number | bigint;
}

export type BpftraceRecord =
  | { type: "attached_probes"; probes: number }
  /** Text the program printed: printf, time, join, cat, system. */
  | { type: "text"; text: string }
  /** One map as bpftrace prints it: its name ("@x", "@" for the anonymous map) and value. */
  | { type: "map"; kind: "map" | "hist" | "stats"; name: string; value: Json }
  | { type: "lost_events"; events: number }
  | { type: "other"; raw: Json };

const MARK = "\u0000int:";
// A string literal, or an integer literal too long to be a safe double.
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d{16,}(?![.eE\d])/g;

function parseExact(line: string): Json {
  // The mark goes into the JSON text escaped: a raw control character is not valid JSON.
  const marked = line.replace(TOKENS, (t) => (t.startsWith('"') ? t : `"\\u0000int:${t}"`));
  return JSON.parse(marked, (_k, v: unknown) => {
    if (typeof v !== "string" || !v.startsWith(MARK)) return v;
    const n = BigInt(v.slice(MARK.length));
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }) as Json;
}

const TEXT_TYPES = new Set(["printf", "time", "join", "cat", "syscall"]);

/** The record of one output line; undefined for blank lines and text that is not JSON. */
export function parseLine(line: string): BpftraceRecord[] | undefined {
  if (line.trim() === "") return undefined;
  let parsed: Json;
  try {
    parsed = parseExact(line);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return [{ type: "other", raw: parsed }];
  const { type, data } = parsed as { type?: Json; data?: Json };
  if (type === "attached_probes" && data && typeof data === "object" && !Array.isArray(data))
    return [{ type: "attached_probes", probes: Number((data as Record<string, Json>).probes ?? 0) }];
  if (typeof type === "string" && TEXT_TYPES.has(type)) return [{ type: "text", text: typeof data === "string" ? data : JSON.stringify(data) }];
  if (type === "lost_events" && data && typeof data === "object")
    return [{ type: "lost_events", events: Number((data as Record<string, Json>).events ?? 0) }];
  if ((type === "map" || type === "hist" || type === "stats") && data && typeof data === "object" && !Array.isArray(data))
    return Object.entries(data).map(([name, value]) => ({ type: "map", kind: type, name, value }));
  return [{ type: "other", raw: parsed }];
}
