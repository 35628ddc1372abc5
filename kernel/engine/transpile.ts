/**
 * Turns one TypeScript chunk (a cell view: the whole cell with other lines
 * blanked) into JavaScript segments ready for vm.Script.
 *
 * Each top-level statement that awaits becomes its own async segment; runs of
 * statements that do not await form synchronous segments, run whole inside
 * runInContext so that `breakOnSigint` can stop a busy loop in them.
 *
 * What SIGINT cannot break: code that runs after an await inside one
 * statement (an async function that awaits and then spins) and callbacks
 * (timers, events), which run outside runInContext. While they spin the event
 * loop is blocked, so no JavaScript signal handler runs, and V8 offers no way
 * to stop them short of native code. A loop that awaits does stop, at its next
 * await: the pending promise is raced against the interrupt, sleep() rejects.
 */
import { SourceMap } from "node:module";
import type TS from "typescript";
import { ts } from "./typescript.js";
import { rewriteDeclarations } from "./declarations.js";
import { ChunkSyntaxError } from "./chunk-syntax-error.js";

export interface Segment {
  /** JavaScript for vm.Script; async segments are wrapped in an async arrow call. */
  code: string;
  isAsync: boolean;
  /** Passed to vm.Script so V8's positions are those of the whole transpiled output. */
  lineOffset: number;
  columnOffset: number;
}

export interface CompiledChunk {
  readonly segments: readonly Segment[];
  /** Top-level names the chunk binds. */
  readonly names: ReadonlySet<string>;
  /** Maps a 0-based position of the transpiled output to the cell's 0-based line and column. */
  map: SourceMap;
}

const OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  sourceMap: true,
  removeComments: false,
  useDefineForClassFields: true,
  esModuleInterop: true,
};

/**
 * Chunks compiled lately, by text: a cell run again unchanged (the common
 * case while exploring) skips TypeScript. transpileModule builds a program and
 * a type checker for every call, a few ms of CPU and a few hundred KB for the
 * collector even for `1 + 1`. The output depends on the text and wantResult
 * alone (the file name only labels the parse of the output), so a cached
 * chunk is the one a fresh compile would give. Shared: callers never change it.
 */
const recent = new Map<string, CompiledChunk>();
const RECENT_CHUNKS = 32;
const RECENT_MAX_CHARS = 64 * 1024;

export function compileChunk(view: string, fileName: string, wantResult: boolean): CompiledChunk {
  if (view.length > RECENT_MAX_CHARS) return compileFresh(view, fileName, wantResult);
  const key = (wantResult ? "1" : "0") + view;
  let chunk = recent.get(key);
  if (chunk) recent.delete(key);
  else {
    chunk = compileFresh(view, fileName, wantResult);
    if (recent.size >= RECENT_CHUNKS) recent.delete(recent.keys().next().value!);
  }
  recent.set(key, chunk);
  return chunk;
}

/**
 * Runs the transform once on a typical chunk, so that V8 has compiled and
 * optimised its paths before a person's first cell does (the first transpile
 * in a thread takes 20-40 ms here, later ones a few). For idle time.
 */
export function warmUpTranspile(): void {
  compileFresh("const first: number = await Promise.resolve(1);\nfunction f(x: number) { return x + 1; }\nf(first)", "<warm-up>", true);
}

function compileFresh(view: string, fileName: string, wantResult: boolean): CompiledChunk {
  const names = new Set<string>();
  const out = ts.transpileModule(view, {
    compilerOptions: OPTIONS,
    fileName: "cell.ts",
    reportDiagnostics: true,
    transformers: { before: [rewriteDeclarations({ names }, wantResult)] },
  });
  const error = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (error) {
    const pos = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : { line: 0, character: 0 };
    throw new ChunkSyntaxError(ts.flattenDiagnosticMessageText(error.messageText, "\n"), pos.line, pos.character);
  }
  const js = out.outputText.replace(/\/\/# sourceMappingURL=.*\s*$/, "");
  const map = new SourceMap(JSON.parse(out.sourceMapText!));
  return { segments: segmentsOf(js, fileName), names, map };
}

function segmentsOf(js: string, fileName: string): Segment[] {
  const file = ts.createSourceFile(fileName, js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const segments: Segment[] = [];
  let run: TS.Statement[] = [];
  const flush = (isAsync: boolean): void => {
    if (run.length === 0) return;
    const start = run[0].getStart(file);
    const end = run[run.length - 1].end;
    const { line, character } = file.getLineAndCharacterOfPosition(start);
    const text = js.slice(start, end);
    segments.push(
      isAsync
        ? { code: `(async () => {\n${" ".repeat(character)}${text}\n})()`, isAsync, lineOffset: line - 1, columnOffset: 0 }
        : { code: text, isAsync, lineOffset: line, columnOffset: character },
    );
    run = [];
  };
  for (const stmt of file.statements) {
    // The `export {}` TypeScript adds to a file that had imports.
    if (ts.isExportDeclaration(stmt)) continue;
    if (awaitsAtTopLevel(stmt)) {
      flush(false);
      run = [stmt];
      flush(true);
    } else {
      run.push(stmt);
    }
  }
  flush(false);
  return segments;
}

function awaitsAtTopLevel(node: TS.Node): boolean {
  if (ts.isAwaitExpression(node)) return true;
  if (ts.isForOfStatement(node) && node.awaitModifier) return true;
  if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return false;
  return ts.forEachChild(node, awaitsAtTopLevel) ?? false;
}
