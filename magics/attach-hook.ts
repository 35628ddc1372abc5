/**
 * Attaching one loaded function to one hook, and the error a failed attach
 * becomes in the notebook: the hook, the kernel's answer and a hint. Both a
 * block's load and a program's attach() use it.
 */
import type { Attachment, Program as NativeProgram } from "../native/types.js";
import { BpfError } from "../native/types.js";
import { CellError } from "../kernel/plugin.js";
import { describeAttach, type AttachSpec } from "./spec/types.js";
import { PERF_TYPE_HARDWARE } from "./spec/perf-events.js";
import { ansi } from "./diagnostics/ansi.js";

export function errorLines(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function attachOneHook(p: NativeProgram, a: Exclude<AttachSpec, { hook: "usdt" }>): Attachment {
  switch (a.hook) {
    case "tracepoint":
      return p.attachTracepoint(a.category, a.event);
    case "raw_tracepoint":
      return p.attachRawTracepoint(a.event);
    case "kprobe":
      return p.attachKprobe(a.symbol, { ret: a.ret });
    case "uprobe":
      return p.attachUprobe(a.binary, /^0x[0-9a-f]+$/i.test(a.symbol) ? Number(a.symbol) : a.symbol, { ret: a.ret, pid: a.pid });
    case "perf_event":
      return p.attachPerfEvent({ type: a.type, config: a.config, sampleFreq: a.sampleFreq, samplePeriod: a.samplePeriod, pid: a.pid, cpu: a.cpu });
    case "xdp":
      return p.attachXdp(a.iface, { mode: a.mode });
    case "tc":
      return p.attachTc(a.iface, a.direction);
    case "socket_filter":
      return p.attachSocketFilter(a.iface);
    case "kfunc":
    case "lsm":
      return p.attachTracing();
  }
}

export function attachError(a: AttachSpec, e: unknown): CellError {
  // The native message usually ends with the code already; say it once.
  const code = e instanceof BpfError && !errorLines(e).endsWith(`(${e.code})`) ? ` (${e.code})` : "";
  const msg = `cannot attach ${a.fn}() to ${describeAttach(a)}: ${errorLines(e)}${code}`;
  const hints: string[] = [];
  if (e instanceof BpfError && e.code === "ENODEV") hints.push(`no such network interface? (ip link shows them)`);
  if (e instanceof BpfError && e.code === "ENOENT" && a.hook === "uprobe") hints.push(`check that ${a.binary} exists and has the symbol ${a.symbol} (nm -D ${a.binary})`);
  // A VM without a virtual PMU has no hardware counters: perf_event_open says ENOENT or EOPNOTSUPP.
  if (e instanceof BpfError && a.hook === "perf_event" && a.type === PERF_TYPE_HARDWARE && ["ENOENT", "EOPNOTSUPP", "ENODEV"].includes(e.code))
    hints.push(`this machine has no hardware counter for ${a.event} (a virtual machine often has none): use a software event such as cpu-clock, task-clock or page-faults`);
  if (e instanceof BpfError && a.hook === "perf_event" && e.code === "ESRCH") hints.push(`no process ${a.pid}`);
  if (e instanceof BpfError && e.code === "EINVAL" && (a.hook === "usdt" || a.hook === "uprobe"))
    hints.push(`one cause: the address already has a uprobe with another semaphore (ref_ctr_offset), which the kernel refuses; a --usdt probe and a plain --uprobe cannot share a guarded probe's address`);
  if (e instanceof BpfError && e.code === "EEXIST" && (a.hook === "xdp" || a.hook === "tc")) hints.push(`another program is already attached there`);
  if (e instanceof BpfError && a.hook === "xdp" && a.mode === "hw" && ["EINVAL", "EOPNOTSUPP"].includes(e.code))
    hints.push(`--xdp-mode hw needs a NIC that offloads XDP programs (few do; veth and virtio do not): use --xdp-mode drv or skb`);
  if (e instanceof BpfError && a.hook === "xdp" && a.mode === "drv" && ["EINVAL", "EOPNOTSUPP"].includes(e.code))
    hints.push(`${a.iface}'s driver may have no native XDP hook: --xdp-mode skb (generic) works on any device`);
  // The kernel checks a tracepoint program's context reads against the event's
  // record size only when attaching, and answers with a bare EACCES.
  if (e instanceof BpfError && e.code === "EACCES" && a.hook === "tracepoint")
    hints.push(`the kernel refused the program for this tracepoint: it reads past the event's record (args); read only the args fields listed in /sys/kernel/tracing/events/${a.category}/${a.event}/format`);
  return new CellError("AttachError", msg, [ansi.boldRed("AttachError") + ": " + msg, ...hints.map((h) => ansi.green("hint: ") + h)]);
}
