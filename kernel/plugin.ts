/**
 * How a language extension plugs into the kernel. The kernel knows nothing of BPF:
 * the BPF side (magics/) hands the kernel a KernelPlugin, which adds cell and line
 * magics, globals visible to TypeScript cells, type declarations for completion,
 * and a shutdown hook. Everything here is plain data and callbacks (and runningCell(),
 * which says whose code is running); no sockets.
 */
import { currentScope } from "./engine/scope.js";

/** A Jupyter mime bundle: mime type to data. */
export type MimeBundle = Record<string, unknown>;

/** What a value renders to: its bundle and the output's metadata. */
export interface DisplayData {
  data: MimeBundle;
  metadata?: Record<string, unknown>;
}

/** A display output that can be replaced in place (update_display_data). */
export interface DisplayHandle {
  readonly displayId: string;
  update(value: unknown): Promise<void>;
}

/**
 * The output side of one execution. Output sent through it carries the request
 * that started the cell as its parent, also when it comes from background work
 * (an event poller, a watch) after the cell's own code has returned.
 */
export interface CellIO {
  /** Renders `value` (its Symbol.for("Jupyter.display") bundle, or text/plain) as display_data. */
  display(value: unknown, options?: { displayId?: string }): Promise<DisplayHandle>;
  /** Sends raw text to the cell's stdout or stderr stream. */
  stream(name: "stdout" | "stderr", text: string): void;
  clearOutput(wait?: boolean): void;
  /** Aborted when the user interrupts the cell (interrupt_request or SIGINT). */
  readonly signal: AbortSignal;
  /** performance.now() when the cell started, for output that must not reach back before it. */
  readonly startedAt?: number;
}

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

/**
 * The IO of the cell whose code is running now, followed through awaits,
 * timers and callbacks, with the signal the kernel aborts on interrupt; or
 * undefined outside any cell's code. For plugin objects that outlive the cell
 * that made them (a watch, an event stream) and must send output somewhere.
 */
export function runningCell(): CellIO | undefined {
  const scope = currentScope();
  if (!scope) return undefined;
  const io = scope.io;
  return {
    display: (v, o) => io.display(v, o),
    stream: (n, t) => io.stream(n, t),
    clearOutput: (w) => io.clearOutput(w),
    signal: scope.signal,
    startedAt: scope.startedAt,
  };
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
