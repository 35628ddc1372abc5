/**
 * Milestones of the kernel's start (sockets bound, first reply, engine loaded,
 * language service ready, compiler prepared), in ms since the process began.
 * Off unless IBCC_START_TRACE names a file: the bench reads it to say where
 * start-up time goes. Costs one env lookup when off.
 */
import { appendFileSync } from "node:fs";

const target = process.env.IBCC_START_TRACE;

export function startMark(what: string): void {
  if (!target) return;
  try {
    appendFileSync(target, `${performance.now().toFixed(1)} ${process.pid} ${what}\n`);
  } catch {
    // A trace that cannot be written must not disturb the kernel.
  }
}
