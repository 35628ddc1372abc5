/**
 * Where a user-space target lives: a path as given, a command found on PATH
 * ("python3.11"), or a library by short name ("c", "libstdc++") in the
 * linker's usual directories; and the ELF files a process has mapped.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";

export class TargetError extends Error {
  override name = "TargetError";
}

const LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"];

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function library(name: string): string | undefined {
  const base = name.startsWith("lib") ? name : `lib${name}`;
  for (const dir of LIB_DIRS) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    if (entries.includes(`${base}.so`) && isFile(join(dir, `${base}.so`))) return join(dir, `${base}.so`);
    const versioned = entries.filter((e) => e.startsWith(`${base}.so.`)).sort((a, b) => a.length - b.length);
    if (versioned.length) return join(dir, versioned[0]);
  }
  return undefined;
}

/** The file `target` names; a clear TargetError when there is none. */
export function resolveBinary(target: string): string {
  if (!target) throw new TargetError("no binary given");
  if (target.includes("/")) {
    if (!existsSync(target)) throw new TargetError(`${target}: no such file`);
    if (!isFile(target)) throw new TargetError(`${target}: not a regular file`);
    return target;
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(dir, target);
    try {
      accessSync(p, constants.X_OK);
      if (isFile(p)) return p;
    } catch {
      // not in this directory
    }
  }
  const lib = library(target);
  if (lib) return lib;
  throw new TargetError(`${target}: no such file, command on PATH or library (give a path)`);
}

/** The executable and the files a live process has mapped, as paths this process can open. */
export function processFiles(pid: number): string[] {
  const root = `/proc/${pid}/root`;
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, "utf8");
  } catch {
    throw new TargetError(`pid ${pid}: no such process (or its maps are not readable)`);
  }
  // A process in another mount namespace sees other files under the same names.
  let prefix = "";
  try {
    if (readlinkSync(root) !== "/") prefix = root;
  } catch {
    prefix = "";
  }
  const files = new Set<string>();
  try {
    files.add(prefix + readlinkSync(`/proc/${pid}/exe`));
  } catch {
    // a kernel thread has no executable
  }
  for (const line of maps.split("\n")) {
    const path = line.split(/\s+/).slice(5).join(" ");
    if (path.startsWith("/") && !path.endsWith(" (deleted)") && !path.startsWith("/dev/") && !path.startsWith("/memfd:")) files.add(prefix + path);
  }
  return [...files].filter(isFile);
}
