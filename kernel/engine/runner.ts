/**
 * Runs a prepared chunk in the session's context, segment by segment:
 * synchronous segments entirely inside runInContext with breakOnSigint
 * (SIGINT stops a busy loop there), async ones raced against the cell's
 * interrupt so a pending await gives way at once. Needs no TypeScript: a
 * plain cell (plain-cell.ts) is prepared here too, as its own one script.
 */
import vm from "node:vm";
import { ChunkSyntaxError } from "./chunk-syntax-error.js";
import type { SessionContext } from "./context.js";
import { Interrupted, isSigintBreak, untilAborted } from "./interrupt.js";
import { isPlainCell } from "./plain-cell.js";
import { takePendingSigint } from "./sigint.js";
import { mapFrame, type ScriptTable } from "./traceback.js";

export interface ChunkResult {
  hasValue: boolean;
  value?: unknown;
}

export interface ChunkRun {
  /** The chunk: the whole cell with other lines blanked. */
  view: string;
  /** `<cell 3>` */
  label: string;
  /** The cell's full text, for excerpts in error reports. */
  source: string;
  wantResult: boolean;
}

/** A chunk transpiled and compiled by V8, ready to run. */
export interface PreparedChunk {
  /** `completes`: the script's completion value is the chunk's result (a plain cell, untransformed). */
  segments: Array<{ isAsync: boolean; script: vm.Script; completes?: boolean }>;
}

export async function runPrepared(session: SessionContext, chunk: PreparedChunk, signal: AbortSignal): Promise<ChunkResult> {
  let result: ChunkResult = { hasValue: false };
  const previous = session.onResult;
  session.onResult = (value) => {
    result = { hasValue: true, value };
  };
  try {
    for (const { isAsync, script, completes } of chunk.segments) {
      // A SIGINT that came since the last run interrupts before this one (sigint.ts).
      takePendingSigint();
      if (signal.aborted) throw new Interrupted();
      let value: unknown;
      try {
        value = script.runInContext(session.context, { breakOnSigint: true });
      } catch (err) {
        if (isSigintBreak(err)) throw new Interrupted();
        throw err;
      }
      if (completes) result = { hasValue: true, value };
      if (isAsync) await untilAborted(value, signal);
    }
  } finally {
    session.onResult = previous;
  }
  return result;
}

/**
 * A cell that needs no compiler, ready to run as it is; undefined when the
 * cell is not plain or V8 will not compile it (the compiler then reports it).
 */
export function preparePlain(session: SessionContext, scripts: ScriptTable, label: string, code: string): PreparedChunk | undefined {
  const { context } = session;
  let names: Set<string> | undefined;
  const has = (name: string): boolean =>
    name in context || (names ??= new Set(vm.runInContext("Object.getOwnPropertyNames(globalThis)", context) as string[])).has(name);
  if (!isPlainCell(code, has)) return undefined;
  const filename = scripts.add({ label, source: code });
  try {
    return { segments: [{ isAsync: false, script: new vm.Script(code, { filename }), completes: true }] };
  } catch {
    return undefined;
  }
}

/**
 * V8 finds a few errors TypeScript's parser lets through (a top-level
 * `return`); its SyntaxError names the line in the stack's first line and the
 * column with carets. Mapped back, it reads like any other syntax error.
 */
export function compileSegment(scripts: ScriptTable, filename: string, code: string, lineOffset: number, columnOffset: number): vm.Script {
  try {
    return new vm.Script(code, { filename, lineOffset, columnOffset });
  } catch (err) {
    const stack = String((err as Error)?.stack ?? "");
    const where = /^(.*):(\d+)\n.*\n( *)\^/.exec(stack);
    if (!where || (err as Error).name !== "SyntaxError") throw err;
    const mapped = mapFrame(scripts, where[1], Number(where[2]), where[3].length + 1);
    if (!mapped) throw err;
    throw new ChunkSyntaxError((err as Error).message, mapped.line - 1, mapped.column - 1);
  }
}
