/**
 * Whether the kernel headers libbcc compiles against are the running
 * kernel's. When they are not, struct layouts read through them may be
 * wrong (tracepoint arguments stay exact: libbcc reads their format from
 * tracefs), and the BTF forms are the way to read kernel structs.
 */
import { readFileSync, realpathSync } from "node:fs";
import { release } from "node:os";

export interface HeadersInfo {
  running: string;
  /** The release the headers were made for, if known. */
  headers?: string;
  matches: boolean;
}

let cached: HeadersInfo | undefined;

export function headersInfo(): HeadersInfo {
  if (cached) return cached;
  const running = release();
  let headers: string | undefined;
  try {
    const build = realpathSync(`/lib/modules/${running}/build`);
    const uts = readFileSync(`${build}/include/generated/utsrelease.h`, "utf8");
    headers = /UTS_RELEASE\s+"([^"]+)"/.exec(uts)?.[1];
  } catch {
    headers = undefined;
  }
  cached = { running, headers, matches: headers === running };
  return cached;
}

export function headersWarning(): string | undefined {
  const h = headersInfo();
  if (h.matches) return undefined;
  return (
    `Note: the kernel headers are ${h.headers ? `for ${h.headers}` : "missing"}, not the running kernel ${h.running}. ` +
    `Struct fields read through them may be at wrong offsets; tracepoint args are exact. ` +
    `Read kernel structs with BTF_READ(ptr, struct, field), resolved against the running kernel's BTF.\n`
  );
}

/**
 * The same note as a display (markdown and plain text): information, not an
 * error, so not a stderr stream that notebook front ends paint like one.
 */
export function headersNote(): { [k: symbol]: () => Record<string, string> } | undefined {
  const h = headersInfo();
  if (h.matches) return undefined;
  const headers = h.headers ? `for \`${h.headers}\`` : "missing";
  const markdown =
    `**Note:** the kernel headers are ${headers}, not the running kernel \`${h.running}\`. ` +
    `Struct fields read through them may be at wrong offsets; tracepoint \`args\` are exact. ` +
    `Read kernel structs with \`BTF_READ(ptr, struct, field)\`, resolved against the running kernel's BTF.`;
  const plain = headersWarning()!.trimEnd();
  return { [Symbol.for("Jupyter.display")]: () => ({ "text/markdown": markdown, "text/plain": plain }) };
}
