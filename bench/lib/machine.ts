/** The facts printed above the table, so figures can be compared across machines. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";

function cpuModel(): string {
  const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
  return m ? m[1].trim() : cpus()[0]?.model ?? "unknown";
}

function debVersion(pkg: string): string {
  try {
    return execFileSync("dpkg-query", ["-W", "-f=${Version}", pkg], { encoding: "utf8" }).trim();
  } catch {
    return "not installed";
  }
}

export function machineFacts(libbcc: string | undefined): string[] {
  return [
    `CPU: ${cpuModel()}, ${cpus().length} cores`,
    `kernel: ${release()}`,
    `libbcc: ${libbcc ?? "?"} (Debian libbpfcc ${debVersion("libbpfcc")}), python3-bpfcc ${debVersion("python3-bpfcc")}`,
    `node: ${process.version}`,
  ];
}

/** Other work on the machine moves every figure; the table says how much there was. */
export function load(): string {
  return loadavg().map((l) => l.toFixed(1)).join(" ");
}
