/**
 * What this machine's kernel lets BPF do, probed once and cached: each program
 * type and each way of attaching, with the reason for every one that is missing
 * and what to use instead, plus the facts that explain odd results (headers that
 * are not the running kernel's, memlock, capabilities, statistics).
 * Probes load tiny programs that return 0 and attach the BTF-based ones only for
 * an instant, so they change nothing the machine does.
 */
import { existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { binding, type Probe, type ProbeOutcome } from "./binding.js";

export interface Feature {
  supported: boolean;
  /** Why not, in one line (absent when supported). */
  reason?: string;
  /** What to use instead (absent when supported). */
  instead?: string;
  /** The errno the kernel answered a probe with, e.g. "EPERM". */
  errno?: string;
}

export const ATTACH_KINDS = [
  "kprobe",
  "kretprobe",
  "uprobe",
  "uretprobe",
  "usdt",
  "tracepoint",
  "raw_tracepoint",
  "perf_event",
  "xdp",
  "tc",
  "tcx",
  "socket_filter",
  "fentry",
  "fexit",
  "lsm",
] as const;
export type AttachKind = (typeof ATTACH_KINDS)[number];

export const PROG_TYPES = [
  "socket_filter",
  "kprobe",
  "tracepoint",
  "raw_tracepoint",
  "perf_event",
  "xdp",
  "sched_cls",
  "sched_act",
  "cgroup_skb",
  "cgroup_sock",
  "sk_msg",
  "flow_dissector",
  "sk_lookup",
  "tracing",
  "lsm",
  "struct_ops",
  "syscall",
] as const;

export interface HeadersInfo {
  /** /lib/modules/<release>/build as found (the link), and where it leads. */
  path: string;
  target?: string;
  /** UTS_RELEASE of the headers, when readable. */
  release?: string;
  present: boolean;
  matchesKernel: boolean;
  note?: string;
}

export interface Features {
  kernelRelease: string;
  libbccVersion: string;
  headers: HeadersInfo;
  /** Where the kernel configuration was read from, if anywhere. */
  kernelConfig?: string;
  btf: Feature & { path: string };
  ringbuf: Feature;
  batchMapOps: Feature;
  /** syscalls:sys_enter_* / sys_exit_* tracepoints (CONFIG_FTRACE_SYSCALLS): the usual stand-in for kprobes on syscalls. */
  syscallTracepoints: Feature;
  /** How many tracepoints tracefs lists (0 when it is not mounted). */
  tracepointCount: number;
  attach: Record<AttachKind, Feature>;
  progTypes: Record<string, Feature>;
  bpfStatsEnabled: boolean;
  jitEnabled?: boolean;
  unprivilegedBpfDisabled?: number;
  /** RLIMIT_MEMLOCK in bytes (Infinity: unlimited). */
  memlock: { soft: number; hard: number };
  /** Effective capabilities by name: "cap_sys_admin", "cap_bpf", ... */
  capabilities: string[];
  tracefs?: string;
}

let cached: Features | undefined;

/** Probes once per process; `refresh` probes again. */
export function probeFeatures(opts: { refresh?: boolean } = {}): Features {
  if (!cached || opts.refresh) cached = probe();
  return cached;
}

const yes: Feature = Object.freeze({ supported: true });
const no = (reason: string, instead?: string, errno?: string): Feature => ({
  supported: false,
  reason,
  ...(instead ? { instead } : {}),
  ...(errno ? { errno } : {}),
});

function probe(): Features {
  const native = binding.probe;
  const kernelRelease = release();
  const config = kernelConfig(kernelRelease);
  const tracefs = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"].find((d) => existsSync(join(d, "events")));
  const pmus = safeList("/sys/bus/event_source/devices");

  const progTypes: Record<string, Feature> = {};
  for (const t of PROG_TYPES) progTypes[t] = fromOutcome(native.progType(t), `loading a ${t} program`);

  const names = [...BTF_TARGETS.fentry, ...BTF_TARGETS.lsm];
  const ids = new Map(native.btfIds(names).map((id, i) => [names[i], id] as const));
  const fentry = btfProbe(native, "fentry", ids);
  const fexit = btfProbe(native, "fexit", ids);
  const lsm = btfProbe(native, "lsm", ids);
  // libbpf probes tracing and lsm without a target, which every kernel refuses; a real target decides.
  progTypes.tracing = fentry.supported || fexit.supported ? yes : fentry;
  progTypes.lsm = lsm;

  const kprobes = dynamicProbes("kprobe", "KPROBES", tracefs, pmus, config);
  const uprobes = dynamicProbes("uprobe", "UPROBES", tracefs, pmus, config);
  const kernelAlternative = [
    "a tracepoint (TRACEPOINT_PROBE; list them in /sys/kernel/tracing/available_events)",
    "a raw tracepoint (RAW_TRACEPOINT_PROBE)",
    ...(fentry.supported ? ["fentry/fexit (KFUNC_PROBE)"] : []),
  ].join(" or ");

  // USDT probes attach as uprobes, so they are no alternative to them.
  const userAlternative = "tracepoints on the syscalls the program makes (syscalls:sys_enter_*, filtered on its pid)";

  const attach: Record<AttachKind, Feature> = {
    kprobe: kprobes.supported ? yes : { ...kprobes, instead: kernelAlternative },
    kretprobe: kprobes.supported ? yes : { ...kprobes, instead: kernelAlternative },
    uprobe: uprobes.supported ? yes : { ...uprobes, instead: userAlternative },
    uretprobe: uprobes.supported ? yes : { ...uprobes, instead: userAlternative },
    usdt: usdtSupport(uprobes, userAlternative),
    tracepoint: !progTypes.tracepoint.supported
      ? progTypes.tracepoint
      : tracefs
        ? yes
        : no("tracefs is not mounted (no /sys/kernel/tracing/events)", "mount -t tracefs nodev /sys/kernel/tracing, or use raw tracepoints"),
    raw_tracepoint: progTypes.raw_tracepoint,
    perf_event: !progTypes.perf_event.supported
      ? progTypes.perf_event
      : existsSync("/proc/sys/kernel/perf_event_paranoid")
        ? yes
        : no("the kernel has no perf events (no /proc/sys/kernel/perf_event_paranoid)"),
    xdp: progTypes.xdp,
    tc: progTypes.sched_cls,
    tcx: tcxSupport(kernelRelease, config, progTypes.sched_cls),
    socket_filter: progTypes.socket_filter,
    fentry: fentry.supported ? yes : { ...fentry, instead: kprobes.supported ? "kprobes" : kernelAlternative },
    fexit: fexit.supported ? yes : { ...fexit, instead: kprobes.supported ? "kretprobes" : "a tracepoint at the function's exit, or sys_exit_* tracepoints" },
    lsm: lsm.supported ? yes : { ...lsm, instead: "tracepoints on the syscalls that reach the hook (observing only: they cannot deny)" },
  };

  const btfPath = "/sys/kernel/btf/vmlinux";
  const ringbuf = fromOutcome(native.mapType("ringbuf"), "creating a ringbuf map");
  const batch = fromOutcome(native.batchOps(), "BPF_MAP_LOOKUP_BATCH");

  return {
    kernelRelease,
    libbccVersion: binding.libbccVersion,
    headers: headersInfo(kernelRelease),
    ...(config ? { kernelConfig: config.source } : {}),
    btf: existsSync(btfPath)
      ? { supported: true, path: btfPath }
      : { ...no("the kernel has no BTF (built without CONFIG_DEBUG_INFO_BTF)", "kernel headers of the exact running kernel"), path: btfPath },
    ringbuf: ringbuf.supported ? yes : { ...ringbuf, instead: "a perf event array (BPF_PERF_OUTPUT)" },
    batchMapOps: batch.supported ? yes : { ...batch, instead: "reading key by key (slower on large maps)" },
    syscallTracepoints: syscallTracepoints(tracefs, config),
    tracepointCount: tracefs ? (readTrim(join(tracefs, "available_events"))?.split("\n").filter(Boolean).length ?? 0) : 0,
    attach,
    progTypes,
    bpfStatsEnabled: readTrim("/proc/sys/kernel/bpf_stats_enabled") === "1",
    ...optionalNumber("jitEnabled", "/proc/sys/net/core/bpf_jit_enable", (n) => n !== 0),
    ...optionalNumber("unprivilegedBpfDisabled", "/proc/sys/kernel/unprivileged_bpf_disabled", (n) => n),
    memlock: native.memlock(),
    capabilities: effectiveCapabilities(),
    ...(tracefs ? { tracefs } : {}),
  };
}

function fromOutcome(o: ProbeOutcome, what: string): Feature {
  if (o.supported) return yes;
  const caps = effectiveCapabilities();
  const hint = o.code === "EPERM" && !caps.includes("cap_bpf") && !caps.includes("cap_sys_admin") ? "; this process has neither cap_bpf nor cap_sys_admin (run as root)" : "";
  return no(`the kernel refused ${what}: ${o.code} (${o.message})${hint}`, undefined, o.code);
}

const BTF_TARGETS = { fentry: ["vfs_read", "do_sys_openat2", "bpf_fentry_test1"], lsm: ["bpf_lsm_file_open", "bpf_lsm_bpf"] };

/** Loads a 2-instruction program against a real vmlinux function and attaches it for an instant. */
function btfProbe(native: Probe, kind: "fentry" | "fexit" | "lsm", ids: Map<string, number>): Feature {
  const targets = BTF_TARGETS[kind === "lsm" ? "lsm" : "fentry"];
  const target = targets.find((t) => (ids.get(t) ?? -1) > 0);
  if (!target) {
    const err = ids.get(targets[0]) ?? -1;
    return err < -1
      ? no(`no vmlinux BTF to find ${kind} targets in`, "kernel headers of the running kernel and tracepoints")
      : no(`none of ${targets.join(", ")} is in the kernel's BTF`);
  }
  const o = native.btfTarget(kind, ids.get(target)!);
  if (o.supported) return yes;
  const prog = kind === "lsm" ? "an LSM program" : `a ${kind} program`;
  const log = o.log?.trim().split("\n").slice(-2).join(" | ");
  const at = o.stage === "attach" ? "attaching" : "loading";
  // With the capabilities BPF needs in hand, an EPERM is the kernel's own policy, not ours.
  const caps = o.code === "EPERM" && ["cap_bpf", "cap_sys_admin"].every((c) => effectiveCapabilities().includes(c)) ? " although this process has cap_bpf and cap_sys_admin" : "";
  return no(`the kernel refused ${at} ${prog} on ${target}: ${o.code} (${o.message})${caps}${log ? `; verifier: ${log}` : ""}`, undefined, o.code);
}

/** kprobes or uprobes: tracefs's *_events file, the perf PMU, and the kernel config all count. */
function dynamicProbes(kind: "kprobe" | "uprobe", option: string, tracefs: string | undefined, pmus: string[], config: KernelConfig | undefined): Feature {
  const eventsFile = tracefs ? join(tracefs, `${kind}_events`) : undefined;
  const hasEvents = !!eventsFile && existsSync(eventsFile);
  const hasPmu = pmus.includes(kind);
  const built = config?.values.get(`CONFIG_${option}`);
  if ((hasEvents || hasPmu) && built !== "n") return yes;
  const why: string[] = [];
  if (config && built !== "y") why.push(`the kernel was built without CONFIG_${option} (${config.source})`);
  if (!hasEvents) why.push(`no ${eventsFile ?? `${kind}_events (tracefs is not mounted)`}`);
  if (!hasPmu) why.push(`no ${kind} PMU in /sys/bus/event_source/devices`);
  return no(`${kind}s are not available: ${why.join("; ")}`);
}

/**
 * USDT probes are uprobes at the probes' addresses; a semaphore-guarded probe
 * fires only while its semaphore is raised, which the kernel does for a uprobe
 * given the semaphore's offset (ref_ctr_offset, Linux 4.20) and libbcc does by
 * writing the memory of a process given by pid.
 */
function usdtSupport(uprobes: Feature, userAlternative: string): Feature {
  if (!uprobes.supported) return { ...uprobes, reason: `USDT probes attach as uprobes: ${uprobes.reason}`, instead: userAlternative };
  if (!existsSync("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset"))
    return no("the uprobe PMU takes no ref_ctr_offset (before Linux 4.20): semaphore-guarded probes of a binary stay off", "--usdt PID:PROBE=FUNC (libbcc raises the semaphores in that process)");
  return yes;
}

function syscallTracepoints(tracefs: string | undefined, config: KernelConfig | undefined): Feature {
  if (!tracefs) return no("tracefs is not mounted", "mount -t tracefs nodev /sys/kernel/tracing");
  if (existsSync(join(tracefs, "events/syscalls"))) return yes;
  const why = config?.values.get("CONFIG_FTRACE_SYSCALLS") !== "y" && config ? ` (built without CONFIG_FTRACE_SYSCALLS, ${config.source})` : "";
  return no(`no syscalls:* tracepoints in ${tracefs}/events${why}`, "raw_syscalls:sys_enter / sys_exit, filtering on args->id");
}

/** ibcc attaches tc programs only as tcx links (netlink filters outlive the process). */
const TC_ALTERNATIVE = "--xdp or --socket on the interface";

function tcxSupport(kernelRelease: string, config: KernelConfig | undefined, schedCls: Feature): Feature {
  if (!schedCls.supported) return schedCls;
  const [maj, min] = kernelRelease.split(/[.-]/).map(Number);
  if (maj < 6 || (maj === 6 && min < 6))
    return no(`tcx links need kernel 6.6 or later (this is ${kernelRelease})`, TC_ALTERNATIVE);
  if (config && config.values.get("CONFIG_NET_XGRESS") !== "y")
    return no(`the kernel was built without CONFIG_NET_XGRESS (${config.source})`, TC_ALTERNATIVE);
  return yes;
}

interface KernelConfig {
  source: string;
  /** CONFIG_X -> "y" | "m" | value; "n" for "# CONFIG_X is not set". */
  values: Map<string, string>;
}

function kernelConfig(rel: string): KernelConfig | undefined {
  for (const source of ["/proc/config.gz", `/boot/config-${rel}`]) {
    try {
      const raw = readFileSync(source);
      const text = source.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
      const values = new Map<string, string>();
      for (const line of text.split("\n")) {
        const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
        if (set) values.set(set[1], set[2]);
        const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
        if (unset) values.set(unset[1], "n");
      }
      return { source, values };
    } catch {
      // try the next place
    }
  }
  return undefined;
}

function headersInfo(rel: string): HeadersInfo {
  const path = `/lib/modules/${rel}/build`;
  if (!existsSync(path))
    return { path, present: false, matchesKernel: false, note: `no kernel headers at ${path}: BCC cannot compile programs that include kernel headers` };
  let target: string | undefined;
  try {
    target = realpathSync(path);
  } catch {
    /* a dangling link is reported as absent below */
  }
  const uts = readTrim(join(path, "include/generated/utsrelease.h"));
  const headerRelease = uts ? /UTS_RELEASE\s+"([^"]+)"/.exec(uts)?.[1] : target ? /linux-headers-(.+)$/.exec(target)?.[1] : undefined;
  const matchesKernel = headerRelease === rel;
  const info: HeadersInfo = { path, ...(target ? { target } : {}), ...(headerRelease ? { release: headerRelease } : {}), present: true, matchesKernel };
  if (!matchesKernel)
    info.note =
      `the kernel headers are ${headerRelease ?? "of an unknown version"} but the kernel is ${rel}: ` +
      "struct layouts read through them (task_struct fields, say) may be wrong; prefer tracepoint arguments and BTF";
  return info;
}

const CAPS = [
  "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
  "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
  "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
  "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write", "audit_control", "setfcap",
  "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf",
  "checkpoint_restore",
];

function effectiveCapabilities(): string[] {
  const status = readTrim("/proc/self/status") ?? "";
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (!hex) return [];
  const bits = BigInt("0x" + hex);
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((bits >> BigInt(i)) & 1n) out.push(`cap_${CAPS[i] ?? i}`);
  return out;
}

function readTrim(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

function optionalNumber<K extends string, V>(key: K, path: string, f: (n: number) => V): Partial<Record<K, V>> {
  const s = readTrim(path);
  return s !== undefined && /^-?\d+$/.test(s) ? ({ [key]: f(Number(s)) } as Record<K, V>) : {};
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A short text report: one line per missing feature with its reason and what to use instead. */
export function formatFeatures(f: Features): string {
  const lines = [
    `kernel ${f.kernelRelease}, libbcc ${f.libbccVersion}, BTF ${f.btf.supported ? "yes" : "no"}, bpf_stats ${f.bpfStatsEnabled ? "on" : "off"}`,
    `headers: ${f.headers.release ?? "none"}${f.headers.matchesKernel ? " (the running kernel's)" : ` -- ${f.headers.note}`}`,
    `memlock: ${fmtLimit(f.memlock.soft)}${memlockIgnored(f.kernelRelease) ? " (unused: since 5.11 BPF memory is charged to the cgroup)" : ""}; capabilities: ${f.capabilities.filter((c) => /sys_admin|bpf|perfmon|net_admin/.test(c)).join(", ") || "none of sys_admin, bpf, perfmon, net_admin"}`,
  ];
  const row = (name: string, x: Feature) =>
    lines.push(x.supported ? `  ${name}: yes` : `  ${name}: no -- ${x.reason}${x.instead ? `; instead: ${x.instead}` : ""}`);
  lines.push("attach:");
  for (const k of ATTACH_KINDS) row(k, f.attach[k]);
  lines.push("maps:");
  row("ringbuf", f.ringbuf);
  row("batch ops", f.batchMapOps);
  lines.push("tracepoints:");
  row(`syscalls (${f.tracepointCount} tracepoints in all)`, f.syscallTracepoints);
  return lines.join("\n");
}

/** Kernels from 5.11 charge BPF objects to the memory cgroup instead of RLIMIT_MEMLOCK. */
export function memlockIgnored(kernelRelease: string): boolean {
  const [maj, min] = kernelRelease.split(/[.-]/).map(Number);
  return maj > 5 || (maj === 5 && min >= 11);
}

const fmtLimit = (n: number) => (n === Infinity ? "unlimited" : `${Math.round(n / 1024)} KiB`);
