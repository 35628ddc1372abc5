/**
 * TypeScript's compiler for the kernel's own use, loaded the fast way.
 *
 * `import ts from "typescript"` costs Node 20 about a second more than this:
 * typescript.js is a 9 MB CommonJS file in a package without a "type", so the
 * ESM loader compiles all of it once only to detect its format, then runs a
 * lexer over it for export names, before running it. Here it is read as
 * one-byte text (it is ASCII; decoding 9 MB as UTF-8 alone takes ~100 ms),
 * compiled with V8's code cache when a trusted one is on disk, and run as
 * CommonJS. A thread that uses it well (the language worker after its
 * warm-up) writes the cache for the next kernel with saveTypeScriptCache().
 *
 * The module is also entered in require's cache, so that a plain `import ts
 * from "typescript"` evaluated later in the same thread gets this same
 * instance (though Node still reads and scans the file for it, at link time:
 * only modules that take TypeScript from here avoid that cost entirely).
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, constants } from "node:fs";
import { createRequire, Module } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { isMainThread } from "node:worker_threads";
import type TS from "typescript";

const require = createRequire(import.meta.url);
const file = require.resolve("typescript");

interface Loaded {
  ts: typeof TS;
  /** Undefined when another loader had already run typescript.js in this thread. */
  script?: Script;
  /** Where this thread's cache lives, if it may have one; undefined when the cache is off or untrusted. */
  cachePath?: string;
  /** Whether V8 took the cache; a missing or rejected one is written anew. */
  cacheUsed: boolean;
}

const loaded = alreadyLoaded() ?? load();
export const ts: typeof TS = loaded.ts;
share(loaded.ts);

/** A copy some plain import or require already ran in this thread: one copy is enough. */
function alreadyLoaded(): Loaded | undefined {
  const entry = (require.cache as Record<string, Module | undefined>)[file];
  return entry?.loaded ? { ts: entry.exports as typeof TS, cacheUsed: true } : undefined;
}

function load(): Loaded {
  const bytes = readFileSync(file);
  const stat = statOf(file);
  // Lines and columns (stack traces) are those of the file: the wrapper stays on its first line.
  const source = "(function (exports, require, module, __filename, __dirname) { " + text(bytes) + "\n})";
  const cachePath = cacheFile(stat);
  const cachedData = cachePath ? readTrusted(cachePath) : undefined;
  const script = new Script(source, { filename: file, cachedData });
  const module = { exports: {} as typeof TS };
  (script.runInThisContext() as (...a: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { ts: module.exports, script, cachePath, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Fills require's cache entry for typescript.js with this instance. Node's
 * ESM loader may already have put an empty entry there while linking a module
 * that imports "typescript" (it evaluates it later): that entry is filled in
 * place, as the loader holds on to it.
 */
function share(exports: typeof TS): void {
  const cache = require.cache as Record<string, Module | undefined>;
  let entry = cache[file];
  if (entry?.loaded) return;
  if (!entry) {
    entry = new Module(file);
    entry.filename = file;
    entry.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
    cache[file] = entry;
  }
  entry.exports = exports;
  entry.loaded = true;
}

/** latin1 is the exact decoding of ASCII and ~15x faster than UTF-8 on this size. */
function text(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
}

function statOf(path: string): { size: number; mtimeMs: number } {
  const s = statSync(path);
  return { size: s.size, mtimeMs: s.mtimeMs };
}

/**
 * The cache of this thread's kind (the main thread and the language worker
 * use different parts of the compiler), named after everything V8's own check
 * does not cover: the file's version, size and time, and the runtime.
 */
function cacheFile(stat: { size: number; mtimeMs: number }): string | undefined {
  if (process.env.IBCC_CODE_CACHE === "0") return undefined;
  const base = process.env.IBCC_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "ibcc");
  const version = (require("typescript/package.json") as { version: string }).version;
  const key = createHash("sha256")
    .update([file, version, stat.size, stat.mtimeMs, process.version, process.arch, process.versions.v8].join("\0"))
    .digest("hex")
    .slice(0, 16);
  return join(base, `typescript-${version}-${key}.${isMainThread ? "main" : "worker"}.v8cache`);
}

/**
 * Compiled code runs as the kernel, which runs as root: a cache file is used
 * only if it and its folder belong to this user and nobody else may write them.
 */
function owned(s: { uid: number; mode: number }): boolean {
  return s.uid === process.getuid?.() && (s.mode & 0o022) === 0;
}

function readTrusted(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    if (!owned(statSync(dirname(path)))) return undefined;
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const s = fstatSync(fd);
    if (!s.isFile() || !owned(s)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** How this thread got TypeScript: for tests and start-up diagnostics. */
export function typeScriptLoad(): { cachePath?: string; cacheUsed: boolean; shared: boolean } {
  return { cachePath: loaded.cachePath, cacheUsed: loaded.cacheUsed, shared: loaded.script === undefined };
}

let saved = false;

/**
 * Writes this thread's code cache if there was none or V8 refused it. Call
 * once the compiler has done typical work, so the cache holds those functions
 * compiled too. Synchronous (~20 ms): call it when idle. Never throws.
 */
export function saveTypeScriptCache(): void {
  const { cachePath: path, script } = loaded;
  if (saved || !path || !script || loaded.cacheUsed) return;
  saved = true;
  try {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!owned(statSync(dir))) return;
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: "wx" });
    renameSync(tmp, path);
  } catch {
    // A cache is an optimisation: without one the next start compiles from source.
  }
}
