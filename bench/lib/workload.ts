/**
 * The getppid workload (bench/c/getppid_loop.c) as a child process: it prints
 * its pid, waits for go(), loops for a fixed time and reports its call rate.
 */
import { spawn, execFile } from "node:child_process";
import { createInterface } from "node:readline";

export interface WorkloadReport {
  calls: number;
  seconds: number;
  rate: number;
}

export interface Workload {
  pid: number;
  go(): void;
  done: Promise<WorkloadReport>;
}

export function startWorkload(exe: string, seconds: number): Promise<Workload> {
  const child = spawn(exe, [String(seconds)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  return (async () => {
    const first = await it.next();
    if (first.done) throw new Error("getppid_loop exited before it was ready");
    const pid = JSON.parse(first.value).ready as number;
    const done = (async () => {
      const r = await it.next();
      if (r.done) throw new Error("getppid_loop exited without a report");
      return JSON.parse(r.value) as WorkloadReport;
    })();
    return { pid, go: () => child.stdin.end("go\n"), done };
  })();
}

/** The workload's rate with nothing attached. */
export function untracedRate(exe: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = execFile(exe, [String(seconds)], (err, stdout) => {
      if (err) return reject(err);
      resolve(JSON.parse(stdout.trim().split("\n").pop()!).rate);
    });
    child.stdin!.end("go\n");
  });
}
