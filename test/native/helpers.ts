/** Shared by the native tests: fd counts, small workloads, program counts. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";

export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** getpriority(2) N times: a syscall only this test makes, once per call (libuv does not cache it). */
export function getpriorityTimes(n: number): void {
  for (let i = 0; i < n; i++) getPriority(process.pid);
}

/**
 * Runs fn with this thread (the main thread: its tid is the pid) held on one
 * CPU, then gives back the CPUs it had. A perf buffer is one ring per CPU, so
 * a burst that migrates mid-way arrives as two runs in whichever order the
 * rings are read: only on one CPU is a burst's order the order it was made.
 */
export function onOneCpu<T>(fn: () => T): T {
  const mask = /: ([0-9a-f,]+)\s*$/.exec(execFileSync("taskset", ["-p", String(process.pid)], { encoding: "utf8" }))![1];
  const cpu = /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))![1];
  execFileSync("taskset", ["-p", "-c", cpu, String(process.pid)], { stdio: "ignore" });
  try {
    return fn();
  } finally {
    execFileSync("taskset", ["-p", mask, String(process.pid)], { stdio: "ignore" });
  }
}

/** Programs loaded on the whole machine, by bpftool. */
export function bpftoolProgCount(): number {
  return (JSON.parse(execFileSync("bpftool", ["-j", "prog", "show"], { encoding: "utf8" })) as unknown[]).length;
}

/** Ids of every program loaded on the machine right now, by bpftool. */
export function loadedProgIds(): Set<number> {
  const progs = JSON.parse(execFileSync("bpftool", ["-j", "prog", "show"], { encoding: "utf8" })) as { id: number }[];
  return new Set(progs.map((p) => p.id));
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export function u64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** Waits until cond() holds or ms pass (events travel through the event loop). */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}
