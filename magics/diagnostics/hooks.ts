/**
 * Errors for hooks this kernel cannot give: one line saying why, and what
 * to use instead. Also near matches for a tracepoint name that does not exist.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CellError } from "../../kernel/plugin.js";
import type { AttachSpec } from "../spec/types.js";
import { describeAttach } from "../spec/types.js";
import { ansi } from "./ansi.js";

export const TRACEFS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"].find((d) => existsSync(join(d, "events"))) ?? "/sys/kernel/tracing";

/** Whether this kernel was built with kprobes (tracefs shows kprobe_events only then). */
export function kernelHasKprobes(): boolean {
  return existsSync(join(TRACEFS, "kprobe_events")) || existsSync("/sys/bus/event_source/devices/kprobe");
}

/** The one-line reason and alternative for a hook the kernel refuses, by hook kind. */
export function missingHookAdvice(a: AttachSpec): string {
  switch (a.hook) {
    case "kprobe":
      return (
        `this kernel has no kprobes (built without CONFIG_KPROBES): use a tracepoint ` +
        `(TRACEPOINT_PROBE(syscalls, sys_enter_X)) or a raw tracepoint (RAW_TRACEPOINT_PROBE(X)) instead of ${a.ret ? "kretprobe" : "kprobe"} ${a.symbol}`
      );
    case "kfunc":
      return (
        `this kernel refuses fentry/fexit programs (BPF trampolines): use a tracepoint ` +
        `(TRACEPOINT_PROBE(cat, ev)) or a raw tracepoint instead of ${a.ret ? "KRETFUNC_PROBE" : "KFUNC_PROBE"}(${a.target})`
      );
    case "lsm":
      return `this kernel refuses BPF LSM programs (needs CONFIG_BPF_LSM and "bpf" in the lsm= boot list): use a tracepoint on the operation instead of LSM_PROBE(${a.target})`;
    case "tc":
      return `tc programs attach as tcx links, which need kernel 6.6 or newer: use --xdp or --socket on ${a.iface} instead`;
    default:
      return `this kernel cannot attach ${describeAttach(a)}`;
  }
}

export function missingHookError(a: AttachSpec, detail?: string): CellError {
  const line = missingHookAdvice(a);
  return new CellError("MissingFeature", line, [
    ansi.boldRed("MissingFeature") + `: ${a.fn}() wants ${describeAttach(a)}`,
    line,
    ...(detail ? [ansi.dim(detail)] : []),
  ]);
}

/** Edit distance, for suggesting near names. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = t;
    }
  }
  return prev[b.length];
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

export function tracepointExists(category: string, event: string): boolean {
  return existsSync(join(TRACEFS, "events", category, event));
}

/** Up to `max` existing tracepoints closest to category:event. */
export function nearTracepoints(category: string, event: string, max = 5): string[] {
  const events = join(TRACEFS, "events");
  const cats = listDir(events);
  const scored: [number, string][] = [];
  const inCat = cats.includes(category);
  for (const c of inCat ? [category] : cats) {
    for (const e of listDir(join(events, c))) {
      const d = (inCat ? 0 : distance(c, category)) + distance(e, event) + (e.includes(event) || event.includes(e) ? -3 : 0);
      scored.push([d, `${c}:${e}`]);
    }
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, max).map((s) => s[1]);
}

export function unknownTracepointError(fn: string, category: string, event: string): CellError {
  const near = nearTracepoints(category, event);
  const evalue = `no tracepoint ${category}:${event} on this kernel` + (near.length ? `; did you mean ${near.join(", ")}?` : "");
  return new CellError("UnknownTracepoint", evalue, [
    ansi.boldRed("UnknownTracepoint") + `: ${fn}() wants tracepoint ${category}:${event}, which ${join(TRACEFS, "events")} does not list`,
    ...(near.length ? ["near matches: " + near.join(", ")] : []),
  ]);
}
