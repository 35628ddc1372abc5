/**
 * Where TypeScript's compiler and this thread's V8 code cache of it are, the
 * trust check a cache file must pass, and a prefetch: the kernel starts
 * reading both (9 MB and 3-4 MB) on libuv's threads once its sockets are
 * bound, while it waits for its client's first request, so that loading the
 * compiler for the first cell does not wait for the disk. Imports nothing of
 * TypeScript; typescript.ts takes what was prefetched.
 */
import { createHash } from "node:crypto";
import { constants, statSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { isMainThread } from "node:worker_threads";

const require = createRequire(import.meta.url);

export interface TypeScriptFiles {
  /** typescript.js */
  file: string;
  /** This thread's code cache, if it may have one; undefined when the cache is off. */
  cachePath?: string;
}

let files: TypeScriptFiles | undefined;

export function typeScriptFiles(): TypeScriptFiles {
  if (files) return files;
  const file = require.resolve("typescript");
  return (files = { file, cachePath: cacheFile(file, statSync(file)) });
}

/**
 * The cache of this thread's kind (the main thread and the language worker
 * use different parts of the compiler), named after everything V8's own check
 * does not cover: the file's version, size and time, and the runtime.
 */
function cacheFile(file: string, stat: { size: number; mtimeMs: number }): string | undefined {
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
export function owned(s: { uid: number; mode: number }): boolean {
  return s.uid === process.getuid?.() && (s.mode & 0o022) === 0;
}

async function readTrusted(path: string): Promise<Buffer | undefined> {
  try {
    if (!owned(statSync(dirname(path)))) return undefined;
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const s = await handle.stat();
      if (!s.isFile() || !owned(s)) return undefined;
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

export interface Prefetched {
  source: Buffer;
  cache?: Buffer;
}

let prefetched: Promise<Prefetched | undefined> | undefined;

/** Starts reading typescript.js and this thread's cache (idempotent, never throws). */
export function prefetchTypeScript(): void {
  if (prefetched) return;
  try {
    const { file, cachePath } = typeScriptFiles();
    const source = readFile(file);
    const cache = cachePath ? readTrusted(cachePath) : Promise.resolve(undefined);
    prefetched = Promise.all([source, cache]).then(
      ([s, c]) => ({ source: s, cache: c }),
      () => undefined,
    );
  } catch {
    prefetched = Promise.resolve(undefined);
  }
}

/**
 * What prefetchTypeScript read, the reads started now where it was not called
 * in this thread (the language worker); undefined when reading failed. Taken
 * once: the buffers are the caller's to drop.
 */
export function takePrefetched(): Promise<Prefetched | undefined> {
  prefetchTypeScript();
  const p = prefetched!;
  prefetched = undefined;
  return p;
}
