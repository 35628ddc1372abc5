/**
 * Raises RLIMIT_MEMLOCK for the kernel process at start. Kernels before 5.11
 * charge BPF maps and programs to it and its default (8 MiB or less) makes
 * loads fail with EPERM; later kernels charge the memory cgroup instead, and
 * raising it costs nothing. Node cannot call setrlimit, so util-linux's
 * prlimit does it on our pid. When it cannot (no CAP_SYS_RESOURCE, no
 * prlimit), the limit in force is reported on stderr instead.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { release as osRelease } from "node:os";

export interface MemlockOutcome {
  raised: boolean;
  /** The soft and hard limits now in force, as /proc/self/limits shows them. */
  limit: string;
  reason?: string;
}

export function currentMemlock(pid: number | "self" = "self"): string {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8").split("\n").find((l) => l.startsWith("Max locked memory"));
    const [soft, hard] = (line ?? "").slice("Max locked memory".length).trim().split(/\s+/);
    return `soft ${soft}, hard ${hard}`;
  } catch {
    return "unknown";
  }
}

/**
 * Raises the limit, or says on stderr why not and what is in force. prlimit
 * runs while the kernel goes on loading and binding (run synchronously it held
 * the main thread 30-60 ms, mostly waiting for the child). Never rejects.
 */
export async function raiseMemlockOrReport(write: (text: string) => void = (t) => process.stderr.write(t)): Promise<MemlockOutcome> {
  const r = await prlimit("unlimited:unlimited");
  let o: MemlockOutcome;
  if (r.status === 0) o = { raised: true, limit: currentMemlock() };
  else {
    // Without CAP_SYS_RESOURCE the soft limit may still go up to the hard one.
    const hard = /hard (\S+)/.exec(currentMemlock())?.[1];
    if (hard && !r.error) await prlimit(`${hard}:`);
    o = { raised: false, limit: currentMemlock(), reason: r.error ? r.error.message : (r.stderr || `prlimit exited with ${r.status}`).trim() };
  }
  report(o, write);
  return o;
}

function prlimit(value: string): Promise<{ status: number | null; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    let stderr = "";
    const child = spawn("prlimit", ["--pid", String(process.pid), `--memlock=${value}`], { stdio: ["ignore", "ignore", "pipe"], timeout: 5000 });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", (error) => resolve({ status: null, stderr, error }));
    child.once("close", (status) => resolve({ status, stderr }));
  });
}

function report(o: MemlockOutcome, write: (text: string) => void): void {
  // From 5.11 the kernel charges BPF memory to the cgroup, not to this limit:
  // a limit we could not raise matters only to older kernels.
  if (!o.raised && !chargesCgroup()) {
    write(
      `ibcc: could not raise RLIMIT_MEMLOCK to unlimited (${o.reason}); locked-memory limit is ${o.limit}. ` +
        `On kernels before 5.11 BPF maps and programs count against it and loads may fail with EPERM.\n`,
    );
  }
}

/** True on kernels from 5.11, which no longer charge BPF memory to RLIMIT_MEMLOCK. */
export function chargesCgroup(release: string = osRelease()): boolean {
  const [major, minor] = release.split(/[.-]/).map(Number);
  return major > 5 || (major === 5 && minor >= 11);
}
