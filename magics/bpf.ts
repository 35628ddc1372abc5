/**
 * The `BPF` global: a program from TypeScript text instead of a %%bpf block.
 *
 *   const p = await BPF.load({ text: `...`, cflags: ["-DN=4"] });
 *
 * `attach` is false for load-only, or header options as a %%bpf line takes
 * them ("--uprobe /bin/x:main=f"). With `name`, the program replaces the
 * earlier one of that name, as a re-run %%bpf NAME does. Constructors cannot
 * await, so BPF.load is the one way in.
 */
import { specOf } from "./spec/block.js";
import { parseHeader, programName, type HeaderSpec } from "./spec/header.js";
import { loadProgram } from "./load.js";
import { bind, track } from "./programs.js";
import type { Program } from "./program.js";
import { attachSpecOf, type AttachOptions } from "./attach-options.js";
import { ksym, ksymname, sym, type SymOptions } from "./symbolize.js";

export interface BpfOptions {
  text: string;
  cflags?: string[];
  /** false: load only; hooks typed as prog.attach() takes them; or %%bpf header options as text. */
  attach?: boolean | string | AttachOptions[];
  name?: string;
}

export class BPF {
  private constructor() {
    throw new Error("use `await BPF.load({ text })`: loading is asynchronous, and a constructor cannot wait for it");
  }

  /** The kernel symbol covering addr ("[unknown]" if none), as BCC's BPF.ksym. */
  static ksym(addr: bigint | number, opts?: SymOptions): string {
    return ksym(addr, opts);
  }

  /** A kernel symbol's address (undefined if none), as BCC's BPF.ksymname. */
  static ksymname(name: string): bigint | undefined {
    return ksymname(name);
  }

  /** The symbol covering addr in process pid, as BCC's BPF.sym (pid < 0: the kernel). */
  static sym(addr: bigint | number, pid: number, opts?: SymOptions): string {
    return sym(addr, pid, opts);
  }

  static async load(options: BpfOptions | string): Promise<Program> {
    const o = typeof options === "string" ? { text: options } : options;
    // Header text is parsed only where the user wrote some (attach as a string).
    const given: HeaderSpec = typeof o.attach === "string" ? parseHeader(o.attach, { named: false }) : { name: "bpf", cflags: [], noAttach: false, attach: [] };
    const header: HeaderSpec = {
      name: o.name ? programName(o.name) : given.name,
      cflags: [...given.cflags, ...(o.cflags ?? [])],
      noAttach: given.noAttach || o.attach === false,
      attach: Array.isArray(o.attach) ? o.attach.map((a) => attachSpecOf(a)) : given.attach,
    };
    const program = await loadProgram(specOf(header, o.text));
    if (o.name) bind(o.name, program);
    else track(program);
    return program;
  }
}
