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
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";
import type TS from "typescript";
import { owned, takePrefetched, typeScriptFiles, type Prefetched } from "./typescript-files.js";

const require = createRequire(import.meta.url);
const { file, cachePath: threadCachePath } = typeScriptFiles();

interface Loaded {
  ts: typeof TS;
  /** Undefined when another loader had already run typescript.js in this thread. */
  script?: Script;
  /** Where this thread's cache lives, if it may have one; undefined when the cache is off or untrusted. */
  cachePath?: string;
  /** Whether V8 took the cache; a missing or rejected one is written anew. */
  cacheUsed: boolean;
}

// What was prefetched (the 9 MB file and the cache) is not kept in a
// module-level binding: it is garbage once the compiler has run.
const loaded = alreadyLoaded() ?? load(await takePrefetched());
export const ts: typeof TS = loaded.ts;
share(loaded.ts);

/** A copy some plain import or require already ran in this thread: one copy is enough. */
function alreadyLoaded(): Loaded | undefined {
  const entry = (require.cache as Record<string, Module | undefined>)[file];
  return entry?.loaded ? { ts: entry.exports as typeof TS, cacheUsed: true } : undefined;
}

/** Compiles what was read (see typescript-files.ts) with its cache and runs it; a failed read is read again here, to throw its error. */
function load(pre: Prefetched | undefined): Loaded {
  const bytes = pre?.source ?? readFileSync(file);
  const cachePath = threadCachePath;
  const cachedData = pre?.cache;
  // With a cache, the file is taken for ASCII without scanning its 9 MB: a
  // cache is only ever made from the file as decoded here, V8 refuses one made
  // from a string of another length, and the cache's name changes with the
  // file's size and time. A file with other bytes has a different length as
  // latin1 than as UTF-8, so its cache is refused and it is read again as UTF-8.
  let script = new Script(wrap(bytes.toString(cachedData || isAscii(bytes) ? "latin1" : "utf8")), { filename: file, cachedData });
  if (cachedData && script.cachedDataRejected && !isAscii(bytes)) script = new Script(wrap(bytes.toString("utf8")), { filename: file });
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

/**
 * The file as a CommonJS function. Lines and columns (stack traces) are those
 * of the file: the wrapper stays on its first line. latin1 is the exact
 * decoding of ASCII and ~15x faster than UTF-8 on this size.
 */
function wrap(text: string): string {
  return "(function (exports, require, module, __filename, __dirname) { " + text + "\n})";
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
