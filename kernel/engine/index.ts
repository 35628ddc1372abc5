/**
 * The language layer: runs cells (TypeScript chunks, line magics and cell
 * magic blocks in order) in one persistent vm context, and answers
 * completion, inspection and is_complete. Knows nothing of sockets.
 *
 * Cheap to create: the plugins and TypeScript's half of the engine
 * (compiler.ts) load when a request first needs them, or once the kernel has
 * been idle a moment after starting. Plain cells run before that
 * (plain-cell.ts): a client's first `1 + 1` is answered at once.
 */
import type {
  CompleteOutcome,
  Engine,
  ErrorReport,
  ExecuteOutcome,
  ExecutionIO,
  InspectOutcome,
  IsCompleteOutcome,
} from "../engine.js";
import { types } from "node:util";
import { GLOBALS_DECLARATIONS, isDisplayHandle, kernelGlobals } from "../globals/index.js";
import { kernelMagics, TYPESCRIPT_BODY_MAGICS, type KernelMagicContext } from "../builtin-magics/index.js";
import type { KernelPlugin, Magic } from "../plugin.js";
import { codePointsToUtf16, utf16ToCodePoints } from "./code-points.js";
import { addGlobals, createSessionContext, type SessionContext } from "./context.js";
import { Interrupted, untilAborted } from "./interrupt.js";
import { LanguageClient } from "./language-client.js";
import type { LanguageRequest, LanguageResults } from "./language-messages.js";
import { dropPendingSigint } from "./sigint.js";
import { cellOutput, render } from "./output.js";
import { MagicRegistry, UnknownMagic } from "./registry.js";
import { preparePlain, runPrepared, type PreparedChunk } from "./runner.js";
import { cellScope, inOrder, isLatestScope, newScope, setLatestScope, streamInOrder, type CellScope } from "./scope.js";
import { blank, linesOf } from "./cell-lines.js";
import type { Piece } from "./splitter.js";
import { reportError, ScriptTable, sourceExcerpt } from "./traceback.js";
import { ChunkSyntaxError } from "./chunk-syntax-error.js";
import { startMark } from "../start-marks.js";

type Compiler = typeof import("./compiler.js");

export interface EngineOptions {
  /** The plugins, or how to load them: called when a request first needs them, or once idle. */
  plugins: KernelPlugin[] | (() => Promise<KernelPlugin[]>);
  /** Where relative imports, require and the language service's files resolve; default process.cwd(). */
  cwd?: string;
  /** Type-check cells and print type errors as warnings (default true). */
  typeCheck?: boolean;
}

export function createEngine(options: EngineOptions): Engine {
  return new TypeScriptEngine(options);
}

// Plugins must finish well within 2 s; the protocol layer needs the rest of its 2.5 s before SIGTERM.
const SHUTDOWN_BUDGET_MS = 1500;

/**
 * How long the engine waits with nothing running before it loads the plugins
 * and TypeScript of its own accord (~300 ms of the main thread): long enough
 * that a client's first requests (kernel_info, then a cell or two sent at
 * once) do not queue behind the load, short enough that a person's first
 * cell finds it done. IBCC_IDLE_LOAD_MS changes it (tests that must see the
 * kernel before the load set it high).
 */
const IDLE_LOAD_MS = Number(process.env.IBCC_IDLE_LOAD_MS) || 1000;

class TypeScriptEngine implements Engine {
  private readonly registry = new MagicRegistry();
  private readonly session: SessionContext;
  private readonly scripts = new ScriptTable();
  private language?: LanguageClient;
  private plugins: KernelPlugin[] = [];
  private readonly pluginsLoaded: Promise<void>;
  private loadPlugins?: () => void;
  private compiler?: Compiler;
  private compilerLoaded?: Promise<Compiler>;
  private readonly cwd: string;
  private readonly typeCheck: boolean;
  private running?: AbortController;
  private idleLoad?: NodeJS.Timeout;
  private evaluations = 0;
  private closing = false;
  private cacheSaved = false;

  constructor(options: EngineOptions) {
    this.typeCheck = options.typeCheck ?? true;
    this.cwd = options.cwd ?? process.cwd();
    const memory = { worker: (collect: boolean) => this.language?.memory(collect) ?? Promise.resolve(undefined), plugins: () => this.plugins };
    for (const m of kernelMagics(() => this.registry.all(), memory)) this.registry.register(m);
    this.session = createSessionContext(kernelGlobals(), this.cwd);
    const given = options.plugins;
    if (Array.isArray(given)) {
      this.addPlugins(given);
      this.pluginsLoaded = Promise.resolve();
    } else {
      this.pluginsLoaded = new Promise<void>((resolve) => {
        this.loadPlugins = () => {
          this.loadPlugins = undefined;
          given().then(
            (plugins) => {
              this.addPlugins(plugins);
              resolve();
            },
            (err: Error) => {
              process.stderr.write(`ibcc: could not load the plugins; running without them: ${err?.stack ?? err}\n`);
              this.addPlugins([]);
              resolve();
            },
          );
        };
      });
    }
    this.loadWhenIdle();
  }

  private addPlugins(plugins: KernelPlugin[]): void {
    this.plugins = plugins;
    for (const plugin of plugins) for (const m of plugin.magics) this.registry.register(m);
    for (const plugin of plugins) addGlobals(this.session, plugin.globals ?? {});
    // The TypeScript service (completion, inspection, type warnings) lives in a
    // worker: loading it takes seconds under load, which the main thread (cells,
    // shell and shutdown) must never wait through. It holds ~70 MB, so it starts
    // on the first request that needs it and stops when idle (language-client.ts).
    this.language = new LanguageClient({
      cwd: this.cwd,
      declarations: [
        { name: "kernel", text: GLOBALS_DECLARATIONS },
        ...plugins.filter((p) => p.declarations).map((p) => ({ name: p.name, text: p.declarations! })),
      ],
    });
    void this.language.ready.then((ms) => startMark(`language service ready (${ms} ms in its worker)`));
    if (this.closing) this.language.close();
  }

  /**
   * The plugins and TypeScript's half of the engine, loaded side by side.
   * `compiler` is set once both are in: a cell that finds it set runs at
   * once, and its magics (`%%bpf` is a plugin's) must be registered by then.
   */
  private loaded(): Promise<Compiler> {
    clearTimeout(this.idleLoad);
    this.loadPlugins?.();
    this.compilerLoaded ??= Promise.all([
      import("./compiler.js").then((c) => {
        startMark("compiler loaded");
        return c;
      }),
      this.pluginsLoaded,
    ]).then(([c]) => (this.compiler = c));
    return this.compilerLoaded;
  }

  private loadWhenIdle(): void {
    if (this.compiler && !this.loadPlugins) return;
    clearTimeout(this.idleLoad);
    this.idleLoad = setTimeout(() => {
      if (this.running) this.loadWhenIdle();
      else
        // A failed load is reported by the request that needs it.
        this.loaded().then(
          (c) => {
            if (!this.running) c.warmUpTranspile();
          },
          () => {},
        );
    }, IDLE_LOAD_MS);
    this.idleLoad.unref();
  }

  /** A request to the language service, once the plugins (whose declarations it needs) are in. */
  private async languageRequest<R extends LanguageRequest>(req: R): Promise<LanguageResults[R["op"]]> {
    await this.pluginsLoaded;
    return this.language!.request(req);
  }

  async execute(code: string, io: ExecutionIO): Promise<ExecuteOutcome> {
    dropPendingSigint();
    const controller = new AbortController();
    this.running = controller;
    const signal = AbortSignal.any([io.signal, controller.signal]);
    const scope = newScope(cellOutput(io), signal);
    setLatestScope(scope);
    const label = `<cell ${io.executionCount}>`;
    try {
      return await cellScope.run(scope, () => this.runCell(code, label, scope));
    } finally {
      if (this.running === controller) this.running = undefined;
      if (!this.compilerLoaded) this.loadWhenIdle();
    }
  }

  private async runCell(code: string, label: string, scope: CellScope): Promise<ExecuteOutcome> {
    const { io, signal } = scope;
    // Before TypeScript is in, a plain cell runs as it is; anything else waits for it.
    const plain = this.compiler ? undefined : preparePlain(this.session, this.scripts, label, code);
    const compiler = plain ? undefined : (this.compiler ?? (await this.loaded()));
    // Once a cell has gone through the compiler, V8's cache of it serves the next kernel's start.
    if (compiler && !this.cacheSaved) {
      this.cacheSaved = true;
      setTimeout(compiler.saveTypeScriptCache, 2000).unref();
    }
    const pieces: Piece[] = compiler ? compiler.splitCell(code) : [{ kind: "ts", view: code, firstLine: 1, lastLine: linesOf(code).length }];
    try {
      for (const p of pieces) {
        if (p.kind === "line") this.registry.line(p.name);
        if (p.kind === "cell") this.registry.cell(p.name);
      }
    } catch (err) {
      if (err instanceof UnknownMagic) return this.unknownMagic(err, code);
      throw err;
    }
    const view = compiler ? compiler.typeScriptView(code, TYPESCRIPT_BODY_MAGICS) : code;
    const checked = this.typeCheck && view.trim() !== "";
    let outcome: ExecuteOutcome = { status: "ok" };
    let last: { hasValue: boolean; value?: unknown } = { hasValue: false };
    let compiled = false;
    try {
      // Every TypeScript chunk compiles before anything runs: a syntax error anywhere stops the whole cell.
      const prepared = plain
        ? [plain]
        : pieces.map((p, i) =>
            p.kind === "ts" ? compiler!.prepareChunk(this.scripts, { view: p.view, label, source: code, wantResult: i === pieces.length - 1 }) : undefined,
          );
      compiled = true;
      // A magic may bind globals the TypeScript after it uses (`%%bpf NAME` then
      // NAME.maps...): check the cell once its last magic has declared them.
      const lastMagic = pieces.map((p) => p.kind !== "ts").lastIndexOf(true);
      if (checked && lastMagic < 0) this.warnTypes(view, label, scope);
      for (const [i, piece] of pieces.entries()) {
        if (signal.aborted) throw new Interrupted();
        const isLast = i === pieces.length - 1;
        last = await this.runPiece(piece, code, label, scope, prepared[i]);
        // As in Deno, a Promise a piece ends with shows what it resolves to; a rejection is the cell's error.
        if (last.hasValue && types.isPromise(last.value)) last = { hasValue: true, value: await untilAborted(last.value, signal) };
        if (checked && i === lastMagic) this.warnTypes(view, label, scope);
        const shown = last.value;
        if (!isLast && last.hasValue && shown !== undefined && !isDisplayHandle(shown)) await inOrder(scope, () => io.display(shown));
      }
    } catch (err) {
      outcome = this.report(err, code, label);
      if (err instanceof ChunkSyntaxError && outcome.status === "error") outcome.traceback.push(...magicCutHint(pieces, err));
      if (err instanceof Interrupted || signal.aborted) this.running?.abort();
    }
    await scope.tail;
    if (checked && compiled) this.languageRequest({ op: "commit", view }).catch(() => {
      // History is a convenience for completion; a failure must not fail the cell.
    });
    if (outcome.status === "ok" && last.hasValue && last.value !== undefined && !isDisplayHandle(last.value)) {
      try {
        outcome = { status: "ok", result: await render(last.value) };
      } catch (err) {
        outcome = this.report(err, code, label);
      }
    }
    return outcome;
  }

  /**
   * Type errors go to the cell's stderr as warnings whenever the worker has
   * them; the cell neither waits for them nor stops. Warnings that come after
   * the cell has finished still go to its output as long as no other cell has
   * started (the same output area its background output goes to, so the user
   * sees them under the cell they are about); once another cell has started
   * they are dropped, as they would land under, or read as about, that cell.
   */
  private warnTypes(view: string, label: string, scope: CellScope): void {
    const send = (text: string): void => {
      if (isLatestScope(scope)) streamInOrder(scope, "stderr", text);
    };
    this.languageRequest({ op: "warnings", view, label }).then(
      (warnings) => {
        if (warnings.length) send(`Type warnings (the cell still runs):\n${warnings.join("\n")}\n`);
      },
      (err: Error) => {
        if (!this.closing) send(`type check failed: ${err.message}\n`);
      },
    );
  }

  private async runPiece(piece: Piece, code: string, label: string, scope: CellScope, prepared?: PreparedChunk) {
    if (piece.kind === "ts") return runPrepared(this.session, prepared!, scope.signal);
    const ctx = this.magicContext(scope, code, label, piece);
    const running = Promise.resolve(
      piece.kind === "line"
        ? this.registry.line(piece.name).run(piece.args, ctx)
        : this.registry.cell(piece.name).run({ args: piece.args, body: piece.body, headerLine: piece.headerLine }, ctx),
    );
    // A magic should stop on ctx.signal; one that does not still lets the cell end on interrupt.
    running.catch(() => {});
    const value = await untilAborted(running, scope.signal);
    return { hasValue: value !== undefined, value };
  }

  private magicContext(scope: CellScope, code: string, label: string, piece: Piece): KernelMagicContext {
    const { io, signal } = scope;
    const lines = linesOf(code);
    // TypeScript a magic runs stands where its arguments or body stand in the cell.
    const place = (text: string): string => {
      if (piece.kind === "line") {
        return lines.slice(0, piece.line - 1).map((l) => blank(l.text) + "\n").join("") + " ".repeat(piece.argsColumn) + text;
      }
      if (piece.kind === "cell") return lines.slice(0, piece.headerLine).map((l) => blank(l.text) + "\n").join("") + text;
      return text;
    };
    return {
      executionCount: io.executionCount,
      signal,
      startedAt: scope.startedAt,
      display: (value, options) => inOrder(scope, () => io.display(value, options)),
      stream: (name, text) => streamInOrder(scope, name, text),
      clearOutput: (wait) => io.clearOutput(wait),
      setGlobal: (name, value, typeDeclaration) => {
        this.session.context[name] = value;
        this.languageRequest({ op: "declareGlobal", name, typeDeclaration }).catch(() => {});
      },
      getGlobal: (name) => this.session.context[name],
      // Magics run only in cells that went through the compiler: it is loaded.
      runTypeScript: (text) =>
        this.compiler!.runChunk(this.session, this.scripts, { view: place(text), label, source: code, signal, wantResult: true }),
    };
  }

  private report(err: unknown, code: string, label: string): ErrorReport & { status: "error" } {
    if (err instanceof Interrupted) {
      return { status: "error", ename: "Interrupted", evalue: err.message, traceback: [`Interrupted: ${err.message}`] };
    }
    if (isCellError(err)) {
      return { status: "error", ename: err.ename, evalue: err.evalue, traceback: [...err.traceback] };
    }
    if (err instanceof ChunkSyntaxError) {
      const where = `${label}:${err.line + 1}:${err.column + 1}`;
      return {
        status: "error",
        ename: "SyntaxError",
        evalue: err.message,
        traceback: [`SyntaxError: ${err.message}`, `    at ${where}`, "", `${label}:`, ...sourceExcerpt(code, err.line + 1, err.column + 1)],
      };
    }
    return { status: "error", ...reportError(this.scripts, err) };
  }

  private unknownMagic(err: UnknownMagic, code: string): ExecuteOutcome {
    const lineNo = linesOf(code).findIndex((l) => l.text.startsWith(err.written)) + 1;
    const where = lineNo > 0 ? [`    at line ${lineNo}`] : [];
    return { status: "error", ename: "UnknownMagic", evalue: err.message, traceback: [`UnknownMagic: ${err.message}`, ...where] };
  }

  async evaluate(expression: string): Promise<ExecuteOutcome> {
    const label = `<expression ${++this.evaluations}>`;
    const signal = new AbortController().signal;
    try {
      const { runChunk } = await this.loaded();
      const r = await runChunk(this.session, this.scripts, { view: expression, label, source: expression, signal, wantResult: true });
      const value = r.hasValue && types.isPromise(r.value) ? await r.value : r.value;
      return { status: "ok", result: await render(r.hasValue ? value : undefined) };
    } catch (err) {
      return this.report(err, expression, label);
    }
  }

  async complete(code: string, cursorPos: number): Promise<CompleteOutcome> {
    const offset = codePointsToUtf16(code, cursorPos);
    const none: CompleteOutcome = { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos, metadata: {} };
    try {
      const { completeMagic, typeScriptView } = await this.loaded();
      const magic = await completeMagic(this.registry, code, offset);
      if (magic) return toOutcome(code, magic);
      const view = typeScriptView(code, TYPESCRIPT_BODY_MAGICS);
      const c = await this.languageRequest({ op: "complete", view, position: offset });
      if (!c) return none;
      return toOutcome(code, c);
    } catch {
      return none;
    }
  }

  async inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectOutcome> {
    const offset = codePointsToUtf16(code, cursorPos);
    const none: InspectOutcome = { found: false, data: {} };
    try {
      const { inspectMagic, typeScriptView } = await this.loaded();
      const magic = await inspectMagic(this.registry, code, offset, detailLevel);
      if (magic) return magic;
      const view = typeScriptView(code, TYPESCRIPT_BODY_MAGICS);
      const info = await this.languageRequest({ op: "quickInfo", view, position: offset });
      if (!info) return none;
      const doc = [info.documentation, ...info.tags].filter(Boolean).join("\n\n");
      return {
        found: true,
        data: {
          "text/plain": doc ? `${info.signature}\n\n${doc}` : info.signature,
          "text/markdown": "```typescript\n" + info.signature + "\n```" + (doc ? `\n\n${doc}` : ""),
        },
      };
    } catch {
      return none;
    }
  }

  isComplete(code: string): IsCompleteOutcome {
    // A console asks on every Enter; the first one may come before TypeScript is in.
    if (!this.compiler) {
      this.loaded().catch(() => {});
      return { status: "unknown" };
    }
    try {
      return this.compiler.isComplete(code);
    } catch {
      return { status: "unknown" };
    }
  }

  interrupt(): void {
    this.running?.abort();
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.idleLoad);
    this.language?.close();
    const hooks = this.plugins.map(async (p) => {
      try {
        await p.shutdown?.();
      } catch (err) {
        process.stderr.write(`ibcc: plugin ${p.name} shutdown failed: ${(err as Error)?.message}\n`);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_BUDGET_MS);
    });
    await Promise.race([Promise.all(hooks), budget]);
    clearTimeout(timer);
  }

  /** For the magics registry listing (tests, %lsmagic). */
  magics(): Magic[] {
    return this.registry.all();
  }
}

function toOutcome(code: string, c: { matches: string[]; start: number; end: number; kinds: string[] }): CompleteOutcome {
  const cursorStart = utf16ToCodePoints(code, c.start);
  const cursorEnd = utf16ToCodePoints(code, c.end);
  return {
    matches: c.matches,
    cursorStart,
    cursorEnd,
    metadata: {
      _jupyter_types_experimental: c.matches.map((text, i) => ({ start: cursorStart, end: cursorEnd, text, type: c.kinds[i] ?? "" })),
    },
  };
}

function isCellError(err: unknown): err is { ename: string; evalue: string; traceback: string[] } {
  const e = err as { ename?: unknown; evalue?: unknown; traceback?: unknown } | null;
  return typeof e?.ename === "string" && typeof e.evalue === "string" && Array.isArray(e.traceback);
}

/** A statement left open right where a magic line starts was most likely cut by it. */
function magicCutHint(pieces: Piece[], err: ChunkSyntaxError): string[] {
  const i = pieces.findIndex((p) => p.kind === "ts" && err.line + 1 >= p.firstLine && err.line + 1 <= p.lastLine);
  const chunk = pieces[i];
  const next = pieces[i + 1];
  if (!chunk || chunk.kind !== "ts" || !next || next.kind === "ts" || err.line + 1 !== chunk.lastLine) return [];
  const line = next.kind === "line" ? next.line : next.headerLine;
  return ["", `hint: the magic on line ${line} ends the TypeScript before it; a magic line stands alone between complete statements`];
}
