/** Transpiles a cell's TypeScript chunk and compiles its segments with V8, ready for runPrepared. */
import type { SessionContext } from "./context.js";
import { compileSegment, runPrepared, type ChunkResult, type ChunkRun, type PreparedChunk } from "./runner.js";
import type { ScriptTable } from "./traceback.js";
import { compileChunk } from "./transpile.js";

/** Throws ChunkSyntaxError for any syntax error. */
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

export function runChunk(session: SessionContext, scripts: ScriptTable, run: ChunkRun & { signal: AbortSignal }): Promise<ChunkResult> {
  return runPrepared(session, prepareChunk(scripts, run), run.signal);
}
