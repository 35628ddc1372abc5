/**
 * Detaching in the background. Closing the perf event of a tracepoint,
 * kprobe, uprobe or perf event attachment (and a raw tracepoint's fd) costs
 * the kernel an RCU grace period, ~50 ms; close() hands those to the addon's
 * closer threads and returns at once. settled() is for the callers that must
 * know the kernel is done: counting loaded programs, a shutdown, a report.
 */
import { binding } from "./binding.js";

/** Resolves once every close asked for so far has finished in the kernel. */
export async function settled(): Promise<void> {
  if (binding.pendingCloses() === 0) return;
  if (!(await binding.settleCloses()))
    throw new Error("closing attachments in the background took over 10 s");
}

/** Background closes not finished yet. */
export function pendingCloses(): number {
  return binding.pendingCloses();
}
