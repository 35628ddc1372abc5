/** A loaded program and the hooks it can be attached to. */
import { binding, type Attached } from "./binding.js";
import { onlineCpus } from "./cpus.js";
import { release } from "node:os";
import { closedError, native } from "./native-error.js";
import { Owned } from "./owner.js";
import { BpfError } from "./types.js";
import type {
  Attachment,
  KprobeOptions,
  PerfEventOptions,
  Program,
  ProgType,
  UprobeOptions,
} from "./types.js";

const XDP_FLAGS_SKB_MODE = 1 << 1;
const XDP_FLAGS_DRV_MODE = 1 << 2;
const XDP_FLAGS_HW_MODE = 1 << 3;
// enum bpf_attach_type values of tcx (Linux 6.6), newer than libbpf 1.1.
const BPF_TCX_INGRESS = 46;
const BPF_TCX_EGRESS = 47;

function kernelAtLeast(major: number, minor: number): boolean {
  const [a, b] = release().split(".").map((x) => parseInt(x, 10));
  return a > major || (a === major && b >= minor);
}

export class AttachmentImpl extends Owned implements Attachment {
  constructor(
    parent: Owned,
    readonly kind: string,
    readonly target: string,
    readonly handle: number,
    readonly fds: number[],
  ) {
    super(parent);
    this.own(handle);
  }

  protected free(): void {
    this.releaseHandle(this.handle);
  }
}

/** Probe event names as BCC makes them: the kind's letter and the target with every odd character replaced. */
function eventName(prefix: string, target: string): string {
  return `${prefix}_${target.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

export class ProgramImpl extends Owned implements Program {
  #attachments: AttachmentImpl[] = [];

  constructor(
    parent: Owned,
    readonly handle: number,
    readonly name: string,
    readonly type: ProgType,
    readonly fd: number,
    readonly id: number,
    readonly tag: string,
  ) {
    super(parent);
  }

  get attachments(): readonly Attachment[] {
    return this.#attachments.filter((a) => !a.closed);
  }

  #attach(op: string, kind: string, target: string, fn: () => Attached): Attachment {
    if (this.closed) throw closedError(`the program ${this.name}`, op);
    const r = native(fn);
    const a = new AttachmentImpl(this, kind, target, r.handle, r.fds);
    this.#attachments = this.#attachments.filter((x) => !x.closed);
    this.#attachments.push(a);
    return a;
  }

  attachTracepoint(category: string, event: string): Attachment {
    return this.#attach("attach_tracepoint", "tracepoint", `${category}:${event}`, () =>
      binding.attachTracepoint(this.fd, category, event));
  }

  attachRawTracepoint(event: string): Attachment {
    return this.#attach("attach_raw_tracepoint", "raw_tracepoint", event, () =>
      binding.attachRawTracepoint(this.fd, event));
  }

  attachKprobe(fn: string, opts: KprobeOptions = {}): Attachment {
    const ret = opts.ret ?? false;
    const offset = opts.offset ?? 0;
    const target = offset ? `${fn}+${offset}` : fn;
    return this.#attach("attach_kprobe", ret ? "kretprobe" : "kprobe", target, () =>
      binding.attachKprobe(this.fd, ret, eventName(ret ? "r" : "p", target), fn, offset, opts.maxActive ?? 0));
  }

  attachUprobe(binary: string, target: string | number, opts: UprobeOptions = {}): Attachment {
    const ret = opts.ret ?? false;
    const pid = opts.pid ?? -1;
    return this.#attach("attach_uprobe", ret ? "uretprobe" : "uprobe", `${binary}:${target}`, () => {
      const sym = typeof target === "string"
        ? binding.resolveSymbol(binary, target, 0, pid)
        : binding.resolveSymbol(binary, null, target, pid);
      const ev = eventName(ret ? "r" : "p", `${sym.path}_0x${sym.offset.toString(16)}`);
      return binding.attachUprobe(this.fd, ret, ev, sym.path, sym.offset, pid, opts.refCtrOffset ?? 0);
    });
  }

  attachPerfEvent(opts: PerfEventOptions): Attachment {
    const pid = opts.pid ?? -1;
    // A perf event follows one process on every CPU, or every process on one CPU.
    const cpus = opts.cpu !== undefined ? [opts.cpu] : pid >= 0 ? [-1] : onlineCpus();
    const period = opts.samplePeriod ?? 0;
    const freq = opts.sampleFreq ?? 0;
    const target = `type ${opts.type} config ${opts.config}` + (pid >= 0 ? ` pid ${pid}` : "") +
      (opts.cpu !== undefined ? ` cpu ${opts.cpu}` : "");
    return this.#attach("attach_perf_event", "perf_event", target, () =>
      binding.attachPerfEvent(this.fd, opts.type, opts.config, period, freq, pid, cpus));
  }

  attachSocketFilter(ifname: string): Attachment {
    return this.#attach("attach_socket", "socket_filter", ifname, () => binding.attachSocketFilter(this.fd, ifname));
  }

  /**
   * As a BPF link on the interface. `mode` asks for generic (skb), native
   * driver (drv) or offloaded (hw) XDP; unset, the kernel uses drv when the
   * driver has it and skb otherwise.
   */
  attachXdp(ifname: string, opts: { mode?: "skb" | "drv" | "hw" } = {}): Attachment {
    const flags = opts.mode ? { skb: XDP_FLAGS_SKB_MODE, drv: XDP_FLAGS_DRV_MODE, hw: XDP_FLAGS_HW_MODE }[opts.mode] : 0;
    return this.#attach("attach_xdp", "xdp", opts.mode ? `${ifname} (${opts.mode} mode)` : ifname, () =>
      binding.attachXdp(this.fd, ifname, flags));
  }

  attachTc(ifname: string, direction: "ingress" | "egress"): Attachment {
    if (!kernelAtLeast(6, 6))
      throw new BpfError(`attach_tc: ${ifname}: tc programs attach through tcx links, which need Linux 6.6 or later ` +
        `(this is ${release()}); netlink tc filters are not used because they outlive the process`,
        "EOPNOTSUPP", 95, "attach_tc");
    const type = direction === "ingress" ? BPF_TCX_INGRESS : BPF_TCX_EGRESS;
    return this.#attach("attach_tc", "tc", `${ifname} ${direction}`, () => binding.attachTcx(this.fd, ifname, type));
  }

  attachTracing(): Attachment {
    return this.#attach("attach_tracing", "tracing", this.name, () => binding.attachTracing(this.fd));
  }

  protected free(): void {
    this.releaseHandle(this.handle);
  }
}
