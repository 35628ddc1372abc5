/**
 * Padding holes in map keys and event records. A hash map compares keys
 * byte for byte, padding included, and a struct filled field by field (a
 * designated initializer, assignments) leaves its padding holding whatever
 * was on the stack: the same logical key then misses on lookup. An event
 * record's holes carry stack bytes to user space. No BPF front end says so;
 * ibcc does, as a warning on the struct's line.
 *
 * The layout is libbcc's own type description (BCC writes each gap as a
 * "__pad_N" member), so offsets, alignment, nested structs and tail padding
 * are exactly what clang laid out.
 *
 * Not warned: a type every variable of which the C text visibly fills whole
 * before use (the rule is in zeroed.ts). A type no variable is seen for is
 * warned about: nothing shows it is zeroed.
 */
import { parseDesc, type Node } from "../../native/codec-layout.js";
import type { Module } from "../../native/types.js";
import { EVENT_TYPE_MAP_PREFIX, type EventMapDecl } from "../event-types.js";
import { lineOf } from "../spec/source.js";
import { formatDiagnostic, type SourceMap } from "./compile.js";
import { unzeroed } from "./zeroed.js";
import { ansi } from "./ansi.js";

/** Map types whose lookups compare the whole key. */
const KEYED = new Set(["hash", "lru_hash", "percpu_hash", "lru_percpu_hash", "lpm_trie", "hash_of_maps"]);

export interface Hole {
  offset: number;
  size: number;
  /** Only some bits of these bytes are unused (bitfields). */
  partial: boolean;
  /** The member just before the hole, as a path ("dev", "k.sector"); undefined at offset 0. */
  after?: string;
}

interface Leaf {
  path: string;
  end: number;
}

/** Marks the bits a node's members cover, and records each member's end. */
function cover(node: Node, base: number, bits: Uint8Array, path: string, leaves: Leaf[]): void {
  if (node.kind === "struct") {
    for (const f of node.fields) {
      if (f.hidden) continue;
      const at = base + f.offset;
      const p = f.anonymous || !f.name ? path : path ? `${path}.${f.name}` : f.name;
      if (f.bits !== undefined) {
        const first = at * 8 + (f.bitShift ?? 0);
        bits.fill(1, first, first + f.bits);
        leaves.push({ path: p, end: Math.ceil((first + f.bits) / 8) });
      } else cover(f.node, at, bits, p, leaves);
    }
    return;
  }
  if (node.kind === "array") {
    for (let i = 0; i < node.length; i++) cover(node.elem, base + i * node.elem.size, bits, `${path}[${i}]`, leaves);
    return;
  }
  bits.fill(1, base * 8, (base + node.size) * 8);
  leaves.push({ path, end: base + node.size });
}

/** The padding holes of a laid-out type, in byte ranges. */
export function holesOf(node: Node): Hole[] {
  const bits = new Uint8Array(node.size * 8);
  const leaves: Leaf[] = [];
  cover(node, 0, bits, "", leaves);
  const state = (byte: number) => {
    let n = 0;
    for (let b = byte * 8; b < byte * 8 + 8; b++) n += bits[b];
    return n === 8 ? "full" : n === 0 ? "empty" : "partial";
  };
  const holes: Hole[] = [];
  for (let i = 0; i < node.size; ) {
    const s = state(i);
    if (s === "full") {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < node.size && state(j) === s) j++;
    const before = leaves.filter((l) => l.end <= (s === "partial" ? j : i)).sort((a, b) => b.end - a.end)[0];
    holes.push({ offset: i, size: j - i, partial: s === "partial", after: before?.path || undefined });
    i = j;
  }
  return holes;
}

/** Holes of a type given as BCC's JSON description; none when it cannot be read. */
export function holesOfDesc(desc: unknown): { node: Node; holes: Hole[] } | undefined {
  if (typeof desc === "string" || desc === undefined) return undefined;
  try {
    const node = parseDesc(desc);
    return { node, holes: holesOf(node) };
  } catch {
    return undefined;
  }
}

function describeHole(h: Hole, size: number): string {
  const bytes = `${h.size} byte${h.size === 1 ? "" : "s"}`;
  const at = h.size === 1 ? `offset ${h.offset}` : `offsets ${h.offset}-${h.offset + h.size - 1}`;
  if (h.partial) return `unused bitfield bits in ${bytes} (${at})`;
  if (h.offset + h.size === size) return `${bytes} at the end (${at})`;
  return `${bytes} ${h.after ? `after ${h.after}` : "at the start"} (${at})`;
}

export interface PaddingWarning {
  /** 1-based line in the body, and column, of the struct's definition (or the map's declaration). */
  line?: number;
  column: number;
  message: string;
  hints: string[];
}

function definitionAt(text: string, name: string, mapName: string): { line: number; column: number } | undefined {
  const typedef = name ? new RegExp(String.raw`\btypedef\s+(?:struct|union)\s*\w*\s*\{[^}]*\}\s*${name}\s*;`).exec(text)?.index : undefined;
  const at =
    (name ? new RegExp(String.raw`\b(?:struct|union)\s+${name}\s*\{`).exec(text)?.index : undefined) ??
    typedef ??
    new RegExp(String.raw`\bBPF_\w+\s*\(\s*${mapName}\b`).exec(text)?.index;
  if (at === undefined) return undefined;
  const line = lineOf(text, at);
  return { line, column: at - (text.lastIndexOf("\n", at - 1) + 1) + 1 };
}

/**
 * The warnings for a compiled module's hash keys and event records with
 * padding holes. `code` is the block's text with comments and strings blanked
 * (BlockSpec.code), `events` its event maps (findEventMaps).
 */
export function paddingWarnings(module: Module, code: string, events: readonly EventMapDecl[]): PaddingWarning[] {
  const text = code;
  const warnings: PaddingWarning[] = [];
  const seen = new Set<string>();
  const check = (desc: unknown, mapName: string, role: "key" | "event", ringbuf: boolean, cType?: string) => {
    const h = holesOfDesc(desc);
    if (!h || h.node.kind !== "struct" || h.holes.length === 0) return;
    // An anonymous struct behind a typedef: BCC gives no name, the C text does.
    const name = h.node.name || (cType && /^\w+$/.test(cType) ? cType : "");
    if (seen.has(`${role}:${name}`)) return;
    const variable = unzeroed(text, name, ringbuf);
    if (variable === undefined) return;
    seen.add(`${role}:${name}`);
    const type = h.node.name ? `${h.node.union ? "union" : "struct"} ${name}` : name || `an anonymous ${h.node.union ? "union" : "struct"}`;
    const padding = h.holes.reduce((n, x) => n + x.size, 0);
    const listed = h.holes.slice(0, 4).map((x) => describeHole(x, h.node.size)).join(", ") + (h.holes.length > 4 ? ", ..." : "");
    const v = variable || "key";
    const consequence =
      role === "key"
        ? `lookups compare all ${h.node.size} bytes, and a hole left unset holds stack garbage, so the same key can miss`
        : ringbuf
          ? `each record carries whatever the hole held (bytes of an earlier record) to user space`
          : `each record carries the hole's stack bytes to user space`;
    const message = `${type}, the ${role === "key" ? "key" : "event record"} of ${mapName}, has ${padding} byte${padding === 1 ? "" : "s"} of padding: ${listed}; ${consequence}`;
    const fill = variable.startsWith("*")
      ? `__builtin_memset(${variable.slice(1)}, 0, sizeof(${variable}))`
      : `__builtin_memset(&${v}, 0, sizeof(${v}))`;
    const where = definitionAt(text, name, mapName);
    warnings.push({
      line: where?.line,
      column: where?.column ?? 1,
      message,
      hints: [
        variable.startsWith("*")
          ? `${fill} before filling it`
          : `${fill} before filling it (or declare it \`= {}\`; a designated initializer does not clear the holes)`,
        `or order the fields largest first so there is no hole, or declare the type __attribute__((packed))`,
      ],
    });
  };
  for (const mapName of module.mapNames) {
    if (mapName.startsWith(EVENT_TYPE_MAP_PREFIX)) continue;
    const m = module.map(mapName);
    const declared = new RegExp(String.raw`\bBPF_\w+\s*\(\s*${mapName}\s*,\s*((?:struct|union)\s+\w+|\w+)`).exec(text)?.[1];
    if (KEYED.has(m.type)) check(m.keyDesc, mapName, "key", false, declared);
  }
  for (const e of events) {
    const probe = EVENT_TYPE_MAP_PREFIX + e.map;
    if (!module.mapNames.includes(probe) || !module.mapNames.includes(e.map)) continue;
    check(module.map(probe).valueDesc, e.map, "event", e.kind === "ringbuf", e.type);
  }
  return warnings;
}

/** A warning as the cell shows it: clang's form, on the struct's cell line, with the fixes as hints. */
export function formatPaddingWarning(w: PaddingWarning, map: SourceMap): string {
  const lines =
    w.line !== undefined
      ? formatDiagnostic(
          { file: "main.c", line: w.line, column: w.column, severity: "warning", message: w.message, cellLine: map.headerLine + w.line },
          map,
        )
      : [`${ansi.yellow("warning:")} ${w.message}`];
  return [...lines, ...w.hints.map((h) => ansi.green("hint: ") + h)].join("\n") + "\n";
}
