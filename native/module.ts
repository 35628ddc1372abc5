/** A compiled libbcc module: owns its programs and maps. */
import { binding, type ModuleInfo } from "./binding.js";
import { BpfMapImpl } from "./map.js";
import { closedError } from "./native-error.js";
import { Owned } from "./owner.js";
import { ProgramImpl } from "./program.js";
import { attachTypeNumber, progTypeNumber } from "./prog-types.js";
import {
  BpfError,
  VerifierError,
  type BpfMap,
  type Diagnostic,
  type LoadOptions,
  type Module,
  type Program,
  type ProgType,
} from "./types.js";

export class ModuleImpl extends Owned implements Module {
  readonly functions: string[];
  readonly mapNames: string[];
  readonly license: string;
  readonly kernVersion: number;
  readonly #info: ModuleInfo;
  readonly #maps = new Map<string, BpfMapImpl>();
  #pending = 0;
  #freeWhenIdle = false;

  constructor(
    readonly handle: number,
    readonly diagnostics: Diagnostic[],
    /** clang's whole output for the compile. */
    readonly log: string,
  ) {
    super(undefined);
    this.own(handle);
    this.#info = binding.moduleInfo(handle);
    this.functions = this.#info.functions;
    this.mapNames = this.#info.tables.map((t) => t.name);
    this.license = this.#info.license ?? "";
    this.kernVersion = this.#info.kernVersion;
  }

  async load(fn: string, type: ProgType, opts: LoadOptions = {}): Promise<Program> {
    if (this.closed) throw closedError("the module", "load");
    if (!this.functions.includes(fn))
      throw new BpfError(`load: ${fn}: no such function in the module (it has ${this.functions.join(", ") || "none"})`, "ENOENT", 2, "load");
    const typeNo = progTypeNumber(type);
    const attachType = opts.expectedAttachType === undefined ? -1 : attachTypeNumber(opts.expectedAttachType);
    if (opts.attachBtfName !== undefined && !fn.endsWith("__" + opts.attachBtfName))
      throw new BpfError(
        `load: ${fn}: the attach target comes from the function name in libbcc (kfunc__vmlinux__NAME, lsm__NAME); ` +
          `it cannot be set to ${opts.attachBtfName}`,
        "EINVAL", 22, "load");
    this.#pending++;
    let r;
    try {
      r = await binding.load(this.handle, fn, typeNo, opts.logLevel ?? 0, attachType);
    } finally {
      this.#pending--;
      if (this.#pending === 0 && this.#freeWhenIdle) this.#destroy();
    }
    if (r.handle !== undefined) {
      if (this.closed) {
        binding.release(r.handle);
        throw closedError("the module", "load");
      }
      this.own(r.handle);
      return new ProgramImpl(this, r.handle, fn, type, r.fd!, r.id!, r.tag!);
    }
    if (r.log.trim()) {
      const tail = lastLines(r.log, 6);
      throw new VerifierError(
        `load ${fn}: the verifier rejected the program: ${r.strerror} (${r.code})\n${tail}`,
        fn, r.log, r.errno, r.code);
    }
    const detail = [r.stderr.trim(), loadHint(type, r.code)].filter(Boolean).join("\n");
    throw new BpfError(`load ${fn}: ${r.strerror || "failed"} (${r.code})${detail ? "\n" + detail : ""}`, r.code, r.errno, "load");
  }

  map(name: string): BpfMap {
    if (this.closed) throw closedError("the module", "map");
    let m = this.#maps.get(name);
    if (!m) {
      const t = this.#info.tables.find((x) => x.name === name);
      if (!t) throw new BpfError(`map: ${name}: no such map in the module (it has ${this.mapNames.join(", ") || "none"})`, "ENOENT", 2, "map");
      m = new BpfMapImpl(this, t);
      this.#maps.set(name, m);
    }
    return m;
  }

  protected free(): void {
    // A load in flight still reads the module's instructions: free it when that ends.
    if (this.#pending > 0) this.#freeWhenIdle = true;
    else this.#destroy();
  }

  #destroy(): void {
    this.#freeWhenIdle = false;
    this.releaseHandle(this.handle);
  }
}

/** What a refusal without a verifier log most likely means, for the hooks kernels often lack. */
function loadHint(type: ProgType, code: string): string {
  if (!["EPERM", "EINVAL", "ENOTSUPP", "EOPNOTSUPP", "ENOENT", "ESRCH"].includes(code)) return "";
  if (type === "tracing")
    return "hint: this kernel refuses fentry/fexit programs (it needs BTF and BPF trampolines, " +
      "CONFIG_DEBUG_INFO_BTF and CONFIG_FUNCTION_TRACER); use a tracepoint (TRACEPOINT_PROBE) or a raw tracepoint (RAW_TRACEPOINT_PROBE) instead";
  if (type === "lsm")
    return "hint: this kernel refuses BPF LSM programs (they need CONFIG_BPF_LSM and \"bpf\" in the lsm= boot list, " +
      "see /sys/kernel/security/lsm); a tracepoint on the same path may give the same view";
  return "";
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}
