/**
 * How a language extension plugs into the kernel. The kernel knows nothing of BPF:
 * the BPF side (magics/) hands the kernel a KernelPlugin, which adds cell and line
 * magics, globals visible to TypeScript cells, type declarations for completion,
 * and a shutdown hook. Everything here is plain data and callbacks; no sockets.
 * It imports nothing of the kernel, so the kernel's modules and plugins alike
 * may depend on it.
 */
import type { CellIO, MimeBundle } from "./io.js";

export type { CellIO, DisplayData, DisplayHandle, MimeBundle } from "./io.js";

/** What a magic may do besides output. */
export interface MagicContext extends CellIO {
  /**
   * Binds a global that later TypeScript cells see by name. `typeDeclaration`, when
   * given, is the TypeScript type text of the value (for example
   * `import("../magics/program.js").Program<{ dist: ... }>`), which the language
   * service uses for completion and type checking.
   */
  setGlobal(name: string, value: unknown, typeDeclaration?: string): void;
  getGlobal(name: string): unknown;
  /** The execution count of the running cell. */
  readonly executionCount: number;
}

/** A `%%name args` block of a cell: the header's arguments and the lines below it. */
export interface MagicBlock {
  /** Everything after `%%name` on the header line. */
  args: string;
  /** The block's lines, without the header, joined with "\n". */
  body: string;
  /** 1-based cell line number of the header line; the body starts on the next line. */
  headerLine: number;
}

export interface CompletionResult {
  matches: string[];
  /** Offsets into the block body (code points), replaced by a chosen match. */
  cursorStart: number;
  cursorEnd: number;
}

export interface InspectResult {
  found: boolean;
  data: MimeBundle;
}

export interface LineMagic {
  kind: "line";
  name: string;
  /** One line, shown by %lsmagic. */
  help: string;
  /** Runs `%name args`; a returned value other than undefined is displayed. */
  run(args: string, ctx: MagicContext): unknown | Promise<unknown>;
}

export interface CellMagic {
  kind: "cell";
  name: string;
  help: string;
  /** Runs the block; a returned value other than undefined is displayed. */
  run(block: MagicBlock, ctx: MagicContext): unknown | Promise<unknown>;
  /** Completion inside the block's body; cursor is an offset into body (code points). */
  complete?(body: string, cursor: number): CompletionResult | Promise<CompletionResult>;
  /** Completion on the header line; args is the text after `%%name`, cursor an offset into it (code points). */
  completeHeader?(args: string, cursor: number): CompletionResult | Promise<CompletionResult>;
  inspect?(body: string, cursor: number, detailLevel: number): InspectResult | Promise<InspectResult>;
}

export type Magic = LineMagic | CellMagic;

/**
 * An error a magic throws to be shown as the cell's error exactly as given,
 * instead of as a JavaScript stack trace: compile diagnostics, verifier logs,
 * a missing kernel feature.
 */
export class CellError extends Error {
  constructor(
    readonly ename: string,
    readonly evalue: string,
    /** Lines of the traceback as the front end shows them (ANSI colours allowed). */
    readonly traceback: string[] = [evalue],
  ) {
    super(evalue);
    this.name = ename;
  }
}

/** One line of %memory: a part of what the kernel holds, in bytes. */
export interface MemoryPart {
  part: string;
  bytes: number;
  detail?: string;
}

export interface KernelPlugin {
  name: string;
  magics: Magic[];
  /** Globals every TypeScript cell sees (the BPF class, for example). */
  globals?: Record<string, unknown>;
  /**
   * TypeScript declarations (ambient .d.ts text) for those globals, so that
   * completion, inspection and type checking know them.
   */
  declarations?: string;
  /**
   * What the plugin holds, for %memory. With `collect`, it first gives back
   * what it keeps without needing it (freed native memory, for example).
   */
  memory?(collect: boolean): MemoryPart[] | Promise<MemoryPart[]>;
  /** Called on shutdown, restart and SIGTERM; must finish well within 2 s. */
  shutdown?(): void | Promise<void>;
}

/** What the kernel gives a plugin as it loads it. */
export interface PluginHost {
  /**
   * The IO of the cell whose code is running now, followed through awaits,
   * timers and callbacks, with the signal the kernel aborts on interrupt; or
   * undefined before any cell has run. For plugin objects that outlive the cell
   * that made them (a watch, an event stream) and must send output somewhere.
   */
  runningCell(): CellIO | undefined;
}

/** Start-up work a plugin begins once the kernel's sockets are bound. */
export interface PluginPreparation {
  /** The kernel answers no request before this settles; kernel_info included, so keep it short. */
  beforeAnswering?: Promise<unknown>;
  /**
   * The kernel calls load once this settles (libraries mapped on another
   * thread, process limits the plugin needs, say). No cell runs before every
   * plugin has loaded.
   */
  beforeLoad?: Promise<unknown>;
}

/**
 * A plugin's entry module, the one module of it the kernel imports. It must be
 * cheap to import: the kernel reads it while its sockets bind, and the
 * plugin's heavy modules load in `load`.
 */
export interface PluginModule {
  /** Facts recorded in kernel_info (and so in executed notebooks), such as library versions. */
  environment?(): Record<string, string>;
  prepare?(): PluginPreparation;
  load(host: PluginHost): Promise<KernelPlugin>;
}
