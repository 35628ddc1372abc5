/**
 * Runs a compiled TypeScript chunk in the session's context, segment by
 * segment: synchronous segments entirely inside runInContext with
 * breakOnSigint (SIGINT stops a busy loop there), async ones raced against the
 * cell's interrupt so a pending await gives way at once.
 */
import vm from "node:vm";
import type { SessionContext } from "./context.js";
import { Interrupted, isSigintBreak, whenAborted } from "./interrupt.js";
import type { ScriptTable } from "./traceback.js";
import { compileChunk, type CompiledChunk } from "./transpile.js";

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
  signal: AbortSignal;
  wantResult: boolean;
  /** The chunk compiled beforehand (so a whole cell's syntax is checked before any of it runs). */
  compiled?: CompiledChunk;
}

export async function runChunk(session: SessionContext, scripts: ScriptTable, run: ChunkRun): Promise<ChunkResult> {
  const chunk = run.compiled ?? compileChunk(run.view, run.label, run.wantResult);
  const filename = scripts.add({ label: run.label, map: chunk.map, source: run.source });
  const interrupted = whenAborted(run.signal);
  interrupted.catch(() => {});
  let result: ChunkResult = { hasValue: false };
  const previous = session.onResult;
  session.onResult = (value) => {
    result = { hasValue: true, value };
  };
  try {
    for (const seg of chunk.segments) {
      if (run.signal.aborted) throw new Interrupted();
      const script = new vm.Script(seg.code, { filename, lineOffset: seg.lineOffset, columnOffset: seg.columnOffset });
      let value: unknown;
      try {
        value = script.runInContext(session.context, { breakOnSigint: true });
      } catch (err) {
        if (isSigintBreak(err)) throw new Interrupted();
        throw err;
      }
      if (seg.isAsync) await Promise.race([value, interrupted]);
    }
  } finally {
    session.onResult = previous;
  }
  return result;
}
