/**
 * Parses a `%%bpf [NAME] [options]` header into the option part of a
 * BlockSpec. Errors name the option at fault and what it expects.
 */
import { AttachSpec, XDP_MODES, type XdpMode } from "./types.js";
import { DEFAULT_FREQ, PERF_EVENTS } from "./perf-events.js";
import { HeaderSyntaxError, tokenize } from "./tokenize.js";

export { HeaderSyntaxError };

export interface HeaderSpec {
  name: string;
  cflags: string[];
  noAttach: boolean;
  attach: AttachSpec[];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Words that cannot name a TypeScript variable. */
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "let static yield await implements interface package private protected public BPF").split(" "),
);

/** Option name -> what its value looks like, for help and error messages. */
export const HEADER_OPTIONS: Record<string, string> = {
  "--tracepoint": "CATEGORY:EVENT=FUNC",
  "--raw-tracepoint": "EVENT=FUNC",
  "--kprobe": "SYMBOL=FUNC",
  "--kretprobe": "SYMBOL=FUNC",
  "--uprobe": "BINARY:SYMBOL=FUNC[,pid=N]",
  "--uretprobe": "BINARY:SYMBOL=FUNC[,pid=N]",
  "--usdt": "BINARY|PID:[PROVIDER:]PROBE=FUNC",
  "--perf-event": "EVENT=FUNC[,pid=N][,cpu=N]",
  "--freq": "HZ",
  "--period": "N",
  "--xdp": "IFACE=FUNC",
  "--xdp-mode": "skb|drv|hw",
  "--tc": "IFACE[:ingress|egress]=FUNC",
  "--socket": "IFACE=FUNC",
  "--cflags": '"FLAGS"',
  "-D": "MACRO[=VALUE]",
  "-I": "DIR",
  "--no-attach": "",
};

function fail(opt: string, value: string | undefined, why: string): never {
  const form = HEADER_OPTIONS[opt];
  const shown = value === undefined ? opt : `${opt} ${value}`;
  throw new HeaderSyntaxError(`%%bpf ${shown}: ${why}${form ? ` (expected ${opt} ${form})` : ""}`);
}

/** Splits `LEFT=FUNC` at the last '=' so that the target may hold one. */
function target(opt: string, value: string): [string, string] {
  const eq = value.lastIndexOf("=");
  if (eq <= 0 || eq === value.length - 1) fail(opt, value, "missing =FUNC");
  const fn = value.slice(eq + 1);
  if (!C_IDENT.test(fn)) fail(opt, value, `'${fn}' is not a C function name`);
  return [value.slice(0, eq), fn];
}

function positiveInt(opt: string, value: string): number {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(value) || Number(value) <= 0) fail(opt, value, "expects a positive integer");
  return Number(value);
}

function parseUprobe(opt: string, value: string, ret: boolean): AttachSpec {
  // pid=N follows FUNC after a comma: BINARY:SYMBOL=FUNC,pid=N
  let pid: number | undefined;
  let rest = value;
  const comma = value.indexOf(",", value.indexOf("="));
  if (comma >= 0) {
    const extra = value.slice(comma + 1);
    rest = value.slice(0, comma);
    const m = /^pid=(\d+)$/.exec(extra);
    if (!m) fail(opt, value, `unknown uprobe option '${extra}' (only pid=N)`);
    pid = Number(m[1]);
  }
  const eq = rest.indexOf("=");
  if (eq <= 0) fail(opt, value, "missing =FUNC");
  const left = rest.slice(0, eq);
  const fn = rest.slice(eq + 1);
  if (!C_IDENT.test(fn)) fail(opt, value, `'${fn}' is not a C function name`);
  const colon = left.lastIndexOf(":");
  if (colon <= 0 || colon === left.length - 1) fail(opt, value, "missing BINARY:SYMBOL");
  return { hook: "uprobe", fn, binary: left.slice(0, colon), symbol: left.slice(colon + 1), ret, pid };
}

/** BINARY|PID:[PROVIDER:]PROBE=FUNC; a binary path holds no ':'. */
function parseUsdt(opt: string, value: string): AttachSpec {
  const [left, fn] = target(opt, value);
  const parts = left.split(":");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === ""))
    fail(opt, value, `'${left}' is not BINARY:PROBE, BINARY:PROVIDER:PROBE, PID:PROBE or PID:PROVIDER:PROBE`);
  const [where, ...names] = parts;
  const probe = names[names.length - 1];
  const provider = names.length === 2 ? names[0] : undefined;
  for (const n of names) if (!C_IDENT.test(n)) fail(opt, value, `'${n}' is not a USDT provider or probe name`);
  const spec: AttachSpec = { hook: "usdt", fn, probe, ...(provider ? { provider } : {}) };
  if (/^\d+$/.test(where)) {
    if (Number(where) <= 0) fail(opt, value, "expects a process id above 0");
    return { ...spec, pid: Number(where) };
  }
  return { ...spec, binary: where };
}

/** A program's name as given, or a HeaderSyntaxError: it must be able to name a TypeScript variable. */
export function programName(name: string): string {
  if (!IDENT.test(name)) throw new HeaderSyntaxError(`%%bpf ${name}: the name must be a valid identifier (letters, digits, _ and $, not starting with a digit)`);
  if (RESERVED.has(name)) throw new HeaderSyntaxError(`%%bpf ${name}: '${name}' is a reserved word; choose another name`);
  return name;
}

/**
 * `[NAME] [options]` as a %%bpf line gives them; with `named: false`, options
 * only (BPF.load's attach text), the name being "bpf".
 */
export function parseHeader(args: string, o: { named?: boolean } = {}): HeaderSpec {
  const words = tokenize(args);
  const spec: HeaderSpec = { name: "bpf", cflags: [], noAttach: false, attach: [] };
  let freq: number | undefined;
  let period: number | undefined;
  let xdpMode: XdpMode | undefined;
  let i = 0;
  if ((o.named ?? true) && words.length > 0 && !words[0].startsWith("-")) {
    spec.name = programName(words[0]);
    i = 1;
  }
  while (i < words.length) {
    const word = words[i++];
    let opt = word;
    let value: string | undefined;
    // -DX / -I/dir glued, --opt=value
    if (/^-[DI]./.test(word)) {
      opt = word.slice(0, 2);
      value = word.slice(2);
    } else if (word.startsWith("--") && word.includes("=") && word.indexOf("=") < word.length) {
      const eq = word.indexOf("=");
      const head = word.slice(0, eq);
      if (head in HEADER_OPTIONS) {
        opt = head;
        value = word.slice(eq + 1);
      }
    }
    if (!(opt in HEADER_OPTIONS)) {
      if (!word.startsWith("-")) throw new HeaderSyntaxError(`%%bpf: unexpected '${word}': the name comes first, then options (see %%bpf? for the list)`);
      throw new HeaderSyntaxError(`%%bpf: unknown option '${word}'; options are ${Object.keys(HEADER_OPTIONS).join(", ")}`);
    }
    if (opt === "--no-attach") {
      if (value !== undefined) fail(opt, value, "takes no value");
      spec.noAttach = true;
      continue;
    }
    if (value === undefined) {
      if (i >= words.length || (words[i].startsWith("--") && opt !== "--cflags")) fail(opt, undefined, "missing its value");
      value = words[i++];
    }
    switch (opt) {
      case "--tracepoint": {
        const [tp, fn] = target(opt, value);
        const m = /^([A-Za-z0-9_]+):([A-Za-z0-9_]+)$/.exec(tp);
        if (!m) fail(opt, value, `'${tp}' is not CATEGORY:EVENT`);
        spec.attach.push({ hook: "tracepoint", fn, category: m[1], event: m[2] });
        break;
      }
      case "--raw-tracepoint": {
        const [ev, fn] = target(opt, value);
        if (!C_IDENT.test(ev)) fail(opt, value, `'${ev}' is not a tracepoint name`);
        spec.attach.push({ hook: "raw_tracepoint", fn, event: ev });
        break;
      }
      case "--kprobe":
      case "--kretprobe": {
        const [sym, fn] = target(opt, value);
        spec.attach.push({ hook: "kprobe", fn, symbol: sym, ret: opt === "--kretprobe" });
        break;
      }
      case "--uprobe":
      case "--uretprobe":
        spec.attach.push(parseUprobe(opt, value, opt === "--uretprobe"));
        break;
      case "--usdt":
        spec.attach.push(parseUsdt(opt, value));
        break;
      case "--perf-event": {
        // pid=N and cpu=N follow FUNC after commas: EVENT=FUNC,pid=N,cpu=N
        const [main, ...extras] = value.split(",");
        const [ev, fn] = target(opt, main);
        const pe = PERF_EVENTS[ev];
        if (!pe) fail(opt, value, `unknown event '${ev}'; known: ${Object.keys(PERF_EVENTS).join(", ")}`);
        const where: { pid?: number; cpu?: number } = {};
        for (const x of extras) {
          const m = /^(pid|cpu)=(\d+)$/.exec(x);
          if (!m) fail(opt, value, `unknown perf event option '${x}' (pid=N, cpu=N)`);
          where[m[1] as "pid" | "cpu"] = Number(m[2]);
        }
        spec.attach.push({ hook: "perf_event", fn, event: ev, type: pe.type, config: pe.config, ...where });
        break;
      }
      case "--freq":
        freq = positiveInt(opt, value);
        break;
      case "--period":
        period = positiveInt(opt, value);
        break;
      case "--xdp":
      case "--socket": {
        const [iface, fn] = target(opt, value);
        if (!/^[^\s/:]{1,15}$/.test(iface)) fail(opt, value, `'${iface}' is not an interface name`);
        spec.attach.push(opt === "--xdp" ? { hook: "xdp", fn, iface } : { hook: "socket_filter", fn, iface });
        break;
      }
      case "--xdp-mode":
        if (!(XDP_MODES as readonly string[]).includes(value))
          fail(opt, value, `'${value}' is not an XDP mode: skb (generic, any device), drv (the driver's native hook) or hw (offloaded to the NIC)`);
        if (xdpMode !== undefined && xdpMode !== value) fail(opt, value, `the mode is already ${xdpMode}; give --xdp-mode once`);
        xdpMode = value as XdpMode;
        break;
      case "--tc": {
        const [left, fn] = target(opt, value);
        const [iface, dir = "ingress", ...more] = left.split(":");
        if (more.length || (dir !== "ingress" && dir !== "egress")) fail(opt, value, `direction must be ingress or egress, not '${dir}'`);
        if (!/^[^\s/]{1,15}$/.test(iface)) fail(opt, value, `'${iface}' is not an interface name`);
        spec.attach.push({ hook: "tc", fn, iface, direction: dir });
        break;
      }
      case "--cflags":
        spec.cflags.push(...tokenize(value));
        break;
      case "-D":
        if (!/^[A-Za-z_][A-Za-z0-9_]*(=.*)?$/.test(value)) fail(opt, value, `'${value}' is not a macro definition`);
        spec.cflags.push(`-D${value}`);
        break;
      case "-I":
        spec.cflags.push(`-I${value}`);
        break;
    }
  }
  if (freq !== undefined && period !== undefined) throw new HeaderSyntaxError("%%bpf: give either --freq or --period, not both");
  const perf = spec.attach.filter((a) => a.hook === "perf_event");
  if ((freq !== undefined || period !== undefined) && perf.length === 0)
    throw new HeaderSyntaxError(`%%bpf: ${freq !== undefined ? "--freq" : "--period"} applies to --perf-event, and there is none`);
  const xdp = spec.attach.filter((a) => a.hook === "xdp");
  if (xdpMode !== undefined && xdp.length === 0) throw new HeaderSyntaxError("%%bpf: --xdp-mode applies to --xdp, and there is none");
  for (const a of xdp) if (a.hook === "xdp" && xdpMode !== undefined) a.mode = xdpMode;
  for (const a of perf) {
    if (a.hook !== "perf_event") continue;
    if (period !== undefined) a.samplePeriod = period;
    else a.sampleFreq = freq ?? DEFAULT_FREQ;
  }
  return spec;
}
