/**
 * The session's bpftrace programs: one per NAME (a re-run ends the earlier one
 * first) and every one started, so shutdown ends them all.
 */
import type { BpftraceRun } from "./trace.js";

const named = new Map<string, BpftraceRun>();
const all = new Set<BpftraceRun>();

export function byName(name: string): BpftraceRun | undefined {
  return named.get(name);
}

export function track(run: BpftraceRun): void {
  all.add(run);
  void run.exited.then(() => all.delete(run));
}

export function bindRun(name: string, run: BpftraceRun): void {
  named.set(name, run);
}

/** Ends the program bound to `name`, if any, and waits for it to be gone. */
export async function endNamed(name: string): Promise<void> {
  const old = named.get(name);
  if (!old) return;
  named.delete(name);
  await old.close();
}

export function runningCount(): number {
  return all.size;
}

/** SIGKILL to every bpftrace still running: the kernel is going away. */
export async function killAll(): Promise<void> {
  const waits = [...all].map((r) => {
    r.kill();
    return r.exited;
  });
  named.clear();
  await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 1500))]);
}
