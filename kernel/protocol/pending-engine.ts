/**
 * An Engine that is still loading. The language layer (TypeScript's compiler,
 * the BPF plugin) takes seconds to import; wrapping it lets the kernel bind its
 * sockets and answer kernel_info and heartbeats at once, while requests that
 * need the engine wait for it. An engine that fails to load is reported as the
 * error of every cell instead of killing the kernel.
 */
import type { Engine, ExecuteOutcome } from "../engine.js";
import { reportOf } from "./handlers/execute.js";
import { startMark } from "../start-marks.js";

export function pendingEngine(loading: Promise<Engine>): Engine {
  let engine: Engine | undefined;
  loading.then(
    (e) => {
      engine = e;
      startMark("engine loaded");
    },
    (err: unknown) => process.stderr.write(`ibcc: the language engine failed to load: ${(err as Error)?.stack ?? err}\n`),
  );
  const failed = (err: unknown): ExecuteOutcome => {
    const r = reportOf(err);
    return { status: "error", ...r, evalue: `the language engine failed to load: ${r.evalue}` };
  };
  return {
    async execute(code, io) {
      let e: Engine;
      try {
        e = await loading;
      } catch (err) {
        return failed(err);
      }
      return e.execute(code, io);
    },
    async evaluate(expression) {
      let e: Engine;
      try {
        e = await loading;
      } catch (err) {
        return failed(err);
      }
      return e.evaluate(expression);
    },
    complete: async (code, cursorPos) => {
      return (await loading).complete(code, cursorPos);
    },
    inspect: async (code, cursorPos, detailLevel) => {
      return (await loading).inspect(code, cursorPos, detailLevel);
    },
    isComplete: (code) => (engine ? engine.isComplete(code) : { status: "unknown" }),
    interrupt: () => engine?.interrupt(),
    async shutdown() {
      const e = await loading.catch(() => undefined);
      await e?.shutdown();
    },
  };
}
