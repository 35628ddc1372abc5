/** What the hardening suites measure of a kernel process and of the machine. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Open file descriptors of a process. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident memory of a process in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** Ids of every BPF program loaded on the machine. */
export function programIds(): number[] {
  const out = JSON.parse(execFileSync("bpftool", ["prog", "show", "--json"], { encoding: "utf8" })) as { id: number }[];
  return out.map((p) => p.id).sort((a, b) => a - b);
}

/** Programs loaded now that were not in `before`. */
export function newPrograms(before: number[]): number[] {
  const old = new Set(before);
  return programIds().filter((id) => !old.has(id));
}

/** Programs in `ids` that are still loaded. */
export function stillLoaded(ids: number[]): number[] {
  const now = new Set(programIds());
  return ids.filter((id) => now.has(id));
}

/** Lines of `ss -ltnpH` that belong to a process: "local-address:port". */
export function listeningAddresses(pid: number): string[] {
  const out = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => l.trim().split(/\s+/)[3]);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `test` until it holds or `ms` passed; returns whether it held. */
export async function until(test: () => boolean, ms: number, every = 100): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (test()) return true;
    await sleep(every);
  }
  return test();
}

/** Ids of the BPF programs a process holds open, from its fds' fdinfo (prog_id). */
export function programsOf(pid: number): number[] {
  const ids: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info = "";
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
    } catch {
      continue; // closed meanwhile
    }
    const m = /^prog_id:\s+(\d+)/m.exec(info);
    if (m) ids.push(Number(m[1]));
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Proportional set size of a process in KiB (its share of pages mapped by others too, such as libLLVM's). */
export function pssKiB(pid: number): number {
  const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** Resident KiB of a process's mappings of files whose name matches `file`, summed (Rss of /proc/PID/smaps). */
export function residentOfFileKiB(pid: number, file: RegExp): number {
  let total = 0;
  let counting = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) counting = file.test(head[1]);
    else if (counting && line.startsWith("Rss:")) total += Number(line.split(/\s+/)[1]);
  }
  return total;
}
