/**
 * A block's --usdt options: libbcc's USDT contexts opened for them before the
 * compile (their argument readers go in front of the C text, for
 * bpf_usdt_readarg), and a uprobe attached at each probe location after the load.
 */
import type { Attachment, Program as NativeProgram } from "../../native/types.js";
import type { UsdtProbes } from "../../native/usdt.js";
import { BpfError } from "../../native/types.js";
import { CellError } from "../../kernel/plugin.js";
import { ansi } from "../diagnostics/ansi.js";
import type { AttachSpec, BlockSpec } from "../spec/types.js";
import type { NativeApi } from "../native-api.js";

type UsdtSpec = Extract<AttachSpec, { hook: "usdt" }>;

export function usdtSpecs(spec: BlockSpec): UsdtSpec[] {
  return spec.attach.filter((a): a is UsdtSpec & { origin: "option" } => a.hook === "usdt");
}

/** The block's USDT probes enabled, or undefined when it has none. */
export async function openBlockUsdt(spec: BlockSpec, native: NativeApi): Promise<UsdtProbes | undefined> {
  const specs = usdtSpecs(spec);
  if (!specs.length) return undefined;
  try {
    return await native.openUsdt(specs.map(({ binary, pid, provider, probe, fn }) => ({ binary, pid, provider, probe, fn })));
  } catch (e) {
    if (!(e instanceof BpfError)) throw e;
    // The errno's text adds nothing to what libbcc's answer already says.
    const [first, ...rest] = e.message.replace(/^usdt: /, "").split("\n");
    const msg = [first.replace(/: [^:]+ \(E[A-Z]+\)$/, ""), ...rest].join("\n");
    const hints: string[] = [];
    if (e.code === "ENOENT" && /no USDT probe/.test(msg)) hints.push("list a binary's probes with: readelf -n BINARY | grep -A3 stapsdt");
    if (e.code === "ESRCH") hints.push("the process must be running when the cell runs");
    throw new CellError("UsdtError", `--usdt: ${msg}`, [ansi.boldRed("UsdtError") + ": " + msg, ...hints.map((h) => ansi.green("hint: ") + h)]);
  }
}

/** C text with the argument readers in front; the user's lines keep their numbers through their #line directives. */
export function withArgumentReaders(usdt: UsdtProbes | undefined, text: string): string {
  return usdt ? `${usdt.text}\n${text}` : text;
}

/** One uprobe per location of the probe enabled for a.fn. */
export function attachUsdt(usdt: UsdtProbes | undefined, p: NativeProgram, a: UsdtSpec): Attachment[] {
  if (!usdt) throw new Error(`${a.fn}: the block's USDT probes are not open`);
  const made = usdt.attach(p, a.fn);
  if (!made.length) throw new BpfError(`attach_usdt: ${a.probe} has no locations`, "ENOENT", 2, "attach_usdt");
  return made;
}

/**
 * bpf_usdt_readarg(N, ...) in function F becomes, in libbcc's rewrite, a call
 * of _bpf_readarg_F_N, which --usdt ...=F brings: without one the program
 * compiles to code the verifier refuses for no visible reason, and with two
 * probes for F the readers clash. A CellError that says so, or undefined.
 */
export function readargProblem(spec: BlockSpec): CellError | undefined {
  if (!/\bbpf_usdt_readarg(_p)?\s*\(/.test(spec.code)) return undefined;
  const specs = usdtSpecs(spec);
  const twice = specs.find((a, i) => specs.findIndex((b) => b.fn === a.fn) !== i);
  const msg = !specs.length
    ? "bpf_usdt_readarg reads the arguments of a USDT probe, and no --usdt option attaches one: add --usdt BINARY|PID:[PROVIDER:]PROBE=FUNC to the header"
    : twice
      ? `${twice.fn}() is given to more than one --usdt probe, and reads arguments with bpf_usdt_readarg, which are per probe: give each probe its own function`
      : undefined;
  return msg ? new CellError("UsdtError", msg, [ansi.boldRed("UsdtError") + ": " + msg]) : undefined;
}
