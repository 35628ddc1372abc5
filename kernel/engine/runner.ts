/**
 * Runs a compiled TypeScript chunk in the session's context, segment by
 * segment: synchronous segments entirely inside runInContext with
 * breakOnSigint (SIGINT stops a busy loop there), async ones raced against the
 * cell's interrupt so a pending await gives way at once.
 */
import vm from "node:vm";
import type { SessionContext } from "./context.js";
import { Interrupted, isSigintBreak, untilAborted } from "./interrupt.js";
import { takePendingSigint } from "./sigint.js";
import { mapFrame, type ScriptTable } from "./traceback.js";
import { ChunkSyntaxError, compileChunk } from "./transpile.js";

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
  segments: Array<{ isAsync: boolean; script: vm.Script }>;
}

/** Transpiles and compiles a chunk; throws ChunkSyntaxError for any syntax error. */
export function prepareChunk(scripts: ScriptTable, run: ChunkRun): PreparedChunk {
  const chunk = compileChunk(run.view, run.label, run.wantResult);
  const filename = scripts.add({ label: run.label, map: chunk.map, source: run.source });
  return {
    segments: chunk.segments.map((seg) => ({
      isAsync: seg.isAsync,
      script: compileSegment(scripts, filename, seg.code, seg.lineOffset, seg.columnOffset),
    })),
  };
}

export async function runPrepared(session: SessionContext, chunk: PreparedChunk, signal: AbortSignal): Promise<ChunkResult> {
  let result: ChunkResult = { hasValue: false };
  const previous = session.onResult;
  session.onResult = (value) => {
    result = { hasValue: true, value };
  };
  try {
    for (const { isAsync, script } of chunk.segments) {
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
      if (isAsync) await untilAborted(value, signal);
    }
  } finally {
    session.onResult = previous;
  }
  return result;
}

export function runChunk(session: SessionContext, scripts: ScriptTable, run: ChunkRun & { signal: AbortSignal }): Promise<ChunkResult> {
  return runPrepared(session, prepareChunk(scripts, run), run.signal);
}

/**
 * V8 finds a few errors TypeScript's parser lets through (a top-level
 * `return`); its SyntaxError names the line in the stack's first line and the
 * column with carets. Mapped back, it reads like any other syntax error.
 */
function compileSegment(scripts: ScriptTable, filename: string, code: string, lineOffset: number, columnOffset: number): vm.Script {
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
