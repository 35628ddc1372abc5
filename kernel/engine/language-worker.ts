/**
 * The language worker: holds the session's TypeScript LanguageService off the
 * main thread. Loading it (lib files and @types/node) takes seconds under
 * load, and each check tens of ms; here neither stalls shell, control or
 * cell code. It works on text only, so nothing of the live session crosses.
 * Requests are answered one at a time in arrival order, so a cell's commit
 * always lands before the next cell's warnings or a later completion.
 */
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { collectGarbage } from "./collect-garbage.js";
import type { FromLanguageWorker, LanguageWorkerData, ToLanguageWorker } from "./language-messages.js";

const port = parentPort!;
const WARM_UP_NICE = 10;
const post = (m: FromLanguageWorker): void => port.postMessage(m);

const t0 = performance.now();
const restorePriority = (workerData as LanguageWorkerData).background ? lowerPriority() : () => {};
// Imported only now, so that loading TypeScript runs at the lowered priority too.
const { CellLanguageService } = await import("./language.js");
const { saveTypeScriptCache } = await import("./typescript.js");
const service = new CellLanguageService(workerData as LanguageWorkerData);
try {
  service.warmUp();
} catch {
  // A broken service shows up as a failed request below.
}
restorePriority();
post({ kind: "ready", loadMs: Math.round(performance.now() - t0) });
// After the warm-up the compiled checker is in V8's cache too; the next kernel starts from it.
setTimeout(saveTypeScriptCache, 1000);

function answer(m: ToLanguageWorker): unknown {
  switch (m.op) {
    case "warnings":
      service.setCell(m.view);
      return service.warnings(m.label);
    case "complete":
      service.setCell(m.view);
      return service.complete(m.position);
    case "quickInfo":
      service.setCell(m.view);
      return service.quickInfo(m.position);
    case "commit":
      return service.commit(m.view);
    case "declareGlobal":
      return service.declareGlobal(m.name, m.typeDeclaration);
    case "history":
      return service.historyEntries();
    case "memory": {
      if (m.collect) collectGarbage();
      const h = getHeapStatistics();
      return { used: h.used_heap_size, committed: h.total_heap_size };
    }
  }
}

port.on("message", (m: ToLanguageWorker) => {
  try {
    post({ kind: "result", id: m.id, value: answer(m) });
  } catch (err) {
    post({ kind: "failed", id: m.id, message: (err as Error)?.message ?? String(err) });
  }
});

/**
 * The warm-up (seconds of CPU: TypeScript, the lib files, the checker) runs
 * while the user's first cells do; at a low priority it takes only CPU time
 * the main thread leaves over. Linux gives each thread its own nice value and
 * /proc/thread-self names this thread's id. Back to the old value afterwards
 * where allowed (raising it again needs CAP_SYS_NICE), so completion requests
 * compete evenly. Where none of this works the worker simply runs as it is.
 */
function lowerPriority(): () => void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    const before = getPriority(tid);
    setPriority(tid, Math.max(before, WARM_UP_NICE));
    // For the client, which raises it again when it closes (the process's exit waits for this thread).
    const slot = (workerData as { threadId?: Int32Array }).threadId;
    if (slot) Atomics.store(slot, 0, tid);
    return () => {
      try {
        setPriority(tid, before);
      } catch {
        // stays low: it only loses when the CPU is contended
      }
    };
  } catch {
    return () => {};
  }
}
