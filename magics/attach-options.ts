/**
 * The typed form of a hook, as cells give it to prog.attach() and BPF.load:
 * `{ tracepoint: "sched:sched_switch", fn: "on_switch" }`. Made into the same
 * AttachSpec a %%bpf header option makes, without going through header text.
 */
import { DEFAULT_FREQ, PERF_EVENTS } from "./spec/perf-events.js";
import type { AttachSpec } from "./spec/types.js";

export interface PerfEventHook {
  /** A name as `perf list` gives it ("cpu-clock", "page-faults", "cycles", ...), or a raw type and config. */
  event: string | { type: number; config: number };
  /** Samples per second (default 99 unless period is given). */
  freq?: number;
  /** One sample every this many events. */
  period?: number;
  /** One process (on every CPU); default every process. */
  pid?: number;
  /** One CPU; default every online CPU. */
  cpu?: number;
}

export type AttachOptions = { fn: string } & (
  | { tracepoint: string }
  | { rawTracepoint: string }
  | { kprobe: string; ret?: boolean }
  | { uprobe: { binary: string; symbol: string | number; pid?: number }; ret?: boolean }
  | { perfEvent: PerfEventHook }
  | { xdp: string }
  | { tc: { iface: string; direction?: "ingress" | "egress" } }
  | { socket: string }
);

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOOKS = ["tracepoint", "rawTracepoint", "kprobe", "uprobe", "perfEvent", "xdp", "tc", "socket"] as const;

function bad(why: string): never {
  throw new TypeError(`attach: ${why}`);
}

function nonNegativeInt(what: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) bad(`${what} must be a non-negative integer, not ${String(v)}`);
  return v;
}

function iface(v: unknown): string {
  if (typeof v !== "string" || !/^[^\s/:]{1,15}$/.test(v)) bad(`'${String(v)}' is not an interface name`);
  return v;
}

/** Every hook but USDT, which attaches through its probes' context (%%bpf --usdt). */
export type TypedAttachSpec = Exclude<AttachSpec, { hook: "usdt" }>;

export function attachSpecOf(o: AttachOptions): TypedAttachSpec {
  if (!o || typeof o !== "object") bad("expects an object such as { tracepoint: \"sched:sched_switch\", fn: \"on_switch\" }");
  const fn = o.fn;
  if (typeof fn !== "string" || !C_IDENT.test(fn)) bad(`fn must name a C function of the program, not ${JSON.stringify(fn)}`);
  const given = HOOKS.filter((h) => h in o);
  if (given.length !== 1)
    bad(given.length ? `one hook per call, not ${given.join(" and ")}` : `name the hook: one of ${HOOKS.join(", ")}`);
  const r = o as Record<string, unknown>;
  switch (given[0]) {
    case "tracepoint": {
      const m = /^([A-Za-z0-9_]+):([A-Za-z0-9_]+)$/.exec(String(r.tracepoint));
      if (!m) bad(`tracepoint '${String(r.tracepoint)}' is not CATEGORY:EVENT`);
      return { hook: "tracepoint", fn, category: m[1], event: m[2] };
    }
    case "rawTracepoint": {
      if (typeof r.rawTracepoint !== "string" || !C_IDENT.test(r.rawTracepoint)) bad(`'${String(r.rawTracepoint)}' is not a tracepoint name`);
      return { hook: "raw_tracepoint", fn, event: r.rawTracepoint };
    }
    case "kprobe":
      if (typeof r.kprobe !== "string" || !r.kprobe) bad("kprobe takes a kernel symbol");
      return { hook: "kprobe", fn, symbol: r.kprobe, ret: Boolean(r.ret) };
    case "uprobe": {
      const u = r.uprobe as { binary?: unknown; symbol?: unknown; pid?: unknown };
      if (!u || typeof u.binary !== "string" || !u.binary) bad("uprobe takes { binary, symbol }");
      const symbol = typeof u.symbol === "number" ? `0x${u.symbol.toString(16)}` : u.symbol;
      if (typeof symbol !== "string" || !symbol) bad("uprobe takes { binary, symbol }: a symbol name or an address");
      return { hook: "uprobe", fn, binary: u.binary, symbol, ret: Boolean(r.ret), pid: nonNegativeInt("uprobe pid", u.pid) };
    }
    case "perfEvent": {
      const p = r.perfEvent as PerfEventHook;
      if (!p || typeof p !== "object") bad("perfEvent takes { event, freq | period, pid, cpu }");
      let ev: { type: number; config: number };
      let name: string;
      if (typeof p.event === "string") {
        const known = PERF_EVENTS[p.event];
        if (!known) bad(`unknown perf event '${p.event}'; known: ${Object.keys(PERF_EVENTS).join(", ")}`);
        ev = known;
        name = p.event;
      } else if (p.event && Number.isInteger(p.event.type) && Number.isInteger(p.event.config)) {
        ev = p.event;
        name = `type ${ev.type} config ${ev.config}`;
      } else bad("perfEvent.event is a name such as \"cpu-clock\" or { type, config }");
      if (p.freq !== undefined && p.period !== undefined) bad("give either freq or period, not both");
      const freq = p.freq === undefined ? undefined : nonNegativeInt("freq", p.freq);
      const period = p.period === undefined ? undefined : nonNegativeInt("period", p.period);
      if (freq === 0 || period === 0) bad("freq and period must be positive");
      return {
        hook: "perf_event", fn, event: name, type: ev.type, config: ev.config,
        ...(period !== undefined ? { samplePeriod: period } : { sampleFreq: freq ?? DEFAULT_FREQ }),
        pid: nonNegativeInt("perfEvent pid", p.pid), cpu: nonNegativeInt("perfEvent cpu", p.cpu),
      };
    }
    case "xdp":
      return { hook: "xdp", fn, iface: iface(r.xdp) };
    case "tc": {
      const t = r.tc as { iface?: unknown; direction?: unknown };
      const direction = t?.direction ?? "ingress";
      if (direction !== "ingress" && direction !== "egress") bad(`tc direction must be ingress or egress, not '${String(direction)}'`);
      return { hook: "tc", fn, iface: iface(t?.iface), direction };
    }
    case "socket":
      return { hook: "socket_filter", fn, iface: iface(r.socket) };
  }
}
