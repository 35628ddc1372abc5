/**
 * Whether this process may load and attach BPF programs at all. Without the
 * capabilities the failures come from far away (tracefs unreadable looks like
 * an unknown tracepoint, bpf() says EPERM), so a %%bpf cell checks first and
 * names what is missing.
 */
import { readFileSync } from "node:fs";
import { CellError } from "../kernel/plugin.js";

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

function effective(): bigint | undefined {
  try {
    const m = /CapEff:\s+([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? BigInt(`0x${m[1]}`) : undefined;
  } catch {
    return undefined;
  }
}

const has = (caps: bigint, bit: number): boolean => ((caps >> BigInt(bit)) & 1n) === 1n;

/** Throws a CellError naming the missing capabilities; silent when they are held or unknown. */
export function checkBpfPrivileges(): void {
  const caps = effective();
  if (caps === undefined) return;
  if (has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON))) return;
  const held = [
    has(caps, CAP_BPF) ? "CAP_BPF" : undefined,
    has(caps, CAP_PERFMON) ? "CAP_PERFMON" : undefined,
  ].filter(Boolean);
  const uid = process.getuid?.();
  const text =
    `this kernel runs as uid ${uid} without the capabilities BPF needs: CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)` +
    (held.length ? `; it holds only ${held.join(", ")}` : "");
  throw new CellError("MissingPrivilege", text, [
    `MissingPrivilege: ${text}`,
    "Loading programs needs CAP_BPF, attaching tracing programs CAP_PERFMON, or CAP_SYS_ADMIN for both (network hooks also CAP_NET_ADMIN).",
    "Run the Jupyter server (and so the kernel) as root, or grant them, e.g. setcap cap_bpf,cap_perfmon,cap_net_admin+ep on the node binary. TypeScript cells work as they are.",
  ]);
}
