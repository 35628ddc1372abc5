/**
 * Error reports for the front end: the error's name and message, then the
 * stack with every frame in a cell's transpiled code mapped back to the cell's
 * line and column (`<cell 3>:5:9`), the kernel's own frames left out, and the
 * failing cell line shown with a caret.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { SourceMap, type SourceMapPayload } from "node:module";
import type { ErrorReport } from "../engine.js";

export interface ScriptInfo {
  /** What the user sees, `<cell 3>`. */
  label: string;
  /** Undefined when the script is the cell's own text (run without transpiling). */
  map?: SourceMap;
  /** The cell's text, for the source line under the message. */
  source: string;
}

interface StoredScript {
  label: string;
  /** The map as its compact JSON form (about 0.3 KB); a parsed SourceMap is ten times that. */
  payload?: SourceMapPayload;
  source: string;
}

/** Parsed maps kept for the frames of the errors being reported now. */
const PARSED = 16;

/**
 * Scripts by their vm filename; kept for every cell, as functions live on.
 * Only errors read a map, so each is stored unparsed and parsed on demand.
 */
export class ScriptTable {
  private readonly scripts = new Map<string, StoredScript>();
  private readonly parsed = new Map<string, ScriptInfo>();
  private count = 0;

  add(info: ScriptInfo): string {
    const name = `${info.label}#${++this.count}`;
    this.scripts.set(name, { label: info.label, payload: info.map?.payload, source: info.source });
    return name;
  }

  get(name: string): ScriptInfo | undefined {
    const hit = this.parsed.get(name);
    if (hit) return hit;
    const stored = this.scripts.get(name);
    if (!stored) return undefined;
    const info = { label: stored.label, map: stored.payload && new SourceMap(stored.payload), source: stored.source };
    if (this.parsed.size >= PARSED) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(name, info);
    return info;
  }

  /** How many scripts are kept. */
  get size(): number {
    return this.scripts.size;
  }
}

/** kernel/ (or dist/kernel/): frames there are the kernel's, not the user's. */
const KERNEL_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** Cell code is called from here; every frame below the first one in it is the kernel's caller. */
const ENGINE_DIR = path.join(KERNEL_DIR, "engine");

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

interface Frame {
  fn?: string;
  file: string;
  line: number;
  column: number;
}

export function mapFrame(scripts: ScriptTable, file: string, line: number, column: number): Frame | undefined {
  const info = scripts.get(file);
  if (!info) return undefined;
  if (!info.map) return { file: info.label, line, column };
  const entry = info.map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
  if (entry.originalLine === undefined) return undefined;
  return { file: info.label, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
}

function isInternal(file: string): boolean {
  return (
    file.startsWith("node:") ||
    file.startsWith(KERNEL_DIR + path.sep) ||
    file.startsWith("file://" + KERNEL_DIR + path.sep) ||
    file.includes("/node_modules/vitest/") ||
    file.includes("/node_modules/@vitest/") ||
    file === "native"
  );
}

/** The error's stack lines, mapped and filtered. */
export function userFrames(scripts: ScriptTable, stack: string): { lines: string[]; first?: Frame & { info: ScriptInfo } } {
  const lines: string[] = [];
  let first: (Frame & { info: ScriptInfo }) | undefined;
  for (const raw of stack.split("\n")) {
    const m = FRAME.exec(raw);
    if (!m) continue;
    const [, fnRaw, fileRaw, l, c] = m;
    const asyncPrefix = fnRaw?.startsWith("async ") || raw.trimStart().startsWith("at async ") ? "async " : "";
    const fn = fnRaw?.replace(/^async /, "");
    const file = fileRaw.replace(/^async /, "");
    if (file.startsWith(ENGINE_DIR + path.sep) || file.startsWith("file://" + ENGINE_DIR + path.sep)) break;
    const info = scripts.get(file);
    if (info) {
      const mapped = mapFrame(scripts, file, Number(l), Number(c));
      if (!mapped) continue;
      first ??= { ...mapped, info };
      const where = `${mapped.file}:${mapped.line}:${mapped.column}`;
      // The async wrapper a segment runs in is an arrow function of our making.
      lines.push(fn && fn !== "<anonymous>" ? `    at ${asyncPrefix}${fn} (${where})` : `    at ${asyncPrefix}${where}`);
    } else if (!isInternal(file)) {
      lines.push(raw.replace(/^\s*/, "    "));
    }
  }
  return { lines, first };
}

/** The cell's line at `line` (1-based) with a caret under `column`. */
export function sourceExcerpt(source: string, line: number, column: number): string[] {
  const text = source.split("\n")[line - 1];
  if (text === undefined) return [];
  const gutter = `${line} | `;
  return [`${gutter}${text}`, `${" ".repeat(gutter.length + Math.max(0, column - 1))}^`];
}

function nameOf(err: object): string {
  const name = (err as { name?: unknown }).name;
  return typeof name === "string" && name ? name : (err.constructor?.name ?? "Error");
}

/** A thrown value as the front end's error. */
export function reportError(scripts: ScriptTable, err: unknown): ErrorReport {
  if (typeof err !== "object" || err === null) {
    const evalue = inspect(err, { colors: false, depth: 2 });
    return { ename: "Uncaught", evalue, traceback: [`Uncaught ${evalue}`] };
  }
  const ename = nameOf(err);
  const evalue = String((err as { message?: unknown }).message ?? "");
  const stack = typeof (err as { stack?: unknown }).stack === "string" ? (err as { stack: string }).stack : "";
  const { lines, first } = userFrames(scripts, stack);
  const head = evalue ? `${ename}: ${evalue}` : ename;
  const excerpt = first ? ["", `${first.file}:`, ...sourceExcerpt(first.info.source, first.line, first.column)] : [];
  return { ename, evalue, traceback: [head, ...lines, ...excerpt] };
}
