/**
 * The language worker: holds the session's TypeScript LanguageService off the
 * main thread. Loading it (lib files and @types/node) takes seconds under
 * load, and each check tens of ms; here neither stalls shell, control or
 * cell code. It works on text only, so nothing of the live session crosses.
 * Requests are answered one at a time in arrival order, so a cell's commit
 * always lands before the next cell's warnings or a later completion.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CellLanguageService } from "./language.js";
import type { FromLanguageWorker, LanguageWorkerData, ToLanguageWorker } from "./language-messages.js";

const port = parentPort!;
const post = (m: FromLanguageWorker): void => port.postMessage(m);

const t0 = performance.now();
const service = new CellLanguageService(workerData as LanguageWorkerData);
try {
  service.warmUp();
} catch {
  // A broken service shows up as a failed request below.
}
post({ kind: "ready", loadMs: Math.round(performance.now() - t0) });

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
  }
}

port.on("message", (m: ToLanguageWorker) => {
  try {
    post({ kind: "result", id: m.id, value: answer(m) });
  } catch (err) {
    post({ kind: "failed", id: m.id, message: (err as Error)?.message ?? String(err) });
  }
});
