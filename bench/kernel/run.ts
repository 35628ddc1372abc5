/**
 * Kernel latency beside ipykernel: kernel start to the first kernel_info_reply,
 * the first `1 + 1` round trips sent right after it, the settled `1 + 1` round
 * trip, and start to the end of a first cell that compiles and attaches a tiny
 * tracepoint program (ibcc's %%bpf; BCC's `BPF(text=...)` in ipykernel). Both
 * kernels are driven by the same jupyter_client code (latency.py) from
 * kernelspecs installed in a scratch JUPYTER_PATH. Prints a readable table,
 * ibcc's start-up milestones (IBCC_START_TRACE), then the bench table's rows
 * as JSON on the last line (the "bcc" side of a row is ipykernel here).
 *
 *   node dist/bench/kernel/run.js [--quick]
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { installKernelspec } from "../../kernel/kernelspec/install.js";

interface Samples {
  start_ms: number[];
  /** [k][start]: the k-th `1 + 1` sent right after the first kernel_info_reply. */
  first_rtt_ms: number[][];
  rtt_ms: number[];
  bpf_from_start_ms: number[];
  /** Resident memory of the kernel's processes 8 s after the BPF cell, MB. */
  rss_mb: number[];
  pss_mb: number[];
}

const PROBE = "TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }";
const IBCC_BPF_CELL = `%%bpf\n${PROBE}`;
const BCC_BPF_CELL = `from bcc import BPF\nb = BPF(text=${JSON.stringify(PROBE)})`;

/** The repository root (this file runs from dist/bench/kernel/). */
function root(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function measure(kernel: string, env: NodeJS.ProcessEnv, starts: number, trips: number, bpfCell: string): Samples {
  const out = execFileSync("/usr/bin/python3", [join(root(), "bench/kernel/latency.py"), kernel, String(starts), String(trips), bpfCell], {
    env,
    encoding: "utf8",
    timeout: 600_000,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as Samples;
}

const min = (xs: number[]): number => (xs.length ? Math.min(...xs) : NaN);
function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const fmt = (x: number): string => x.toFixed(1).padStart(9);

/** Median time of each start-up milestone over the kernels that wrote the trace. */
function milestones(file: string): string {
  if (!existsSync(file)) return "";
  const byName = new Map<string, number[]>();
  for (const line of readFileSync(file, "utf8").trim().split("\n")) {
    const [t, , ...what] = line.split(" ");
    const name = what.join(" ").replace(/ \(\d+ ms in its worker\)/, "");
    byName.set(name, [...(byName.get(name) ?? []), Number(t)]);
  }
  const rows = [...byName].sort((a, b) => median(a[1]) - median(b[1]));
  return [
    "ibcc start-up milestones, ms since the process began (median over its starts):",
    ...rows.map(([name, ts]) => `${fmt(median(ts))}  ${name} (${ts.length})`),
  ].join("\n");
}

function main(): void {
  const quick = process.argv.includes("--quick");
  const starts = quick ? 4 : 8;
  const trips = quick ? 10 : 20;
  const dir = mkdtempSync(join(tmpdir(), "ibcc-bench-kernel-"));
  try {
    const jupyter = join(dir, "share/jupyter");
    installKernelspec({ prefix: dir });
    const python = join(jupyter, "kernels/python3-bench");
    mkdirSync(python, { recursive: true });
    writeFileSync(
      join(python, "kernel.json"),
      JSON.stringify({ argv: ["/usr/bin/python3", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"], display_name: "ipykernel", language: "python" }),
    );
    const trace = join(dir, "start-trace");
    const env = { ...process.env, JUPYTER_PATH: jupyter, JUPYTER_RUNTIME_DIR: join(dir, "runtime"), IBCC_DATA_DIR: join(dir, "data"), IPYTHONDIR: join(dir, "ipython") };
    const ibcc = measure("ibcc", { ...env, IBCC_START_TRACE: trace }, starts, trips, IBCC_BPF_CELL);
    const ipy = measure("python3-bench", env, starts, trips, BCC_BPF_CELL);
    const later = (s: Samples) => [...s.first_rtt_ms.slice(1).flat()];

    console.log(`kernel latency, jupyter_client: ${starts} starts (every other one runs a BPF cell first), ${trips} settled round trips (ms)`);
    console.log(`${"".padEnd(44)}${"ibcc min".padStart(9)}${"median".padStart(9)}${"ipyk min".padStart(9)}${"median".padStart(9)}`);
    const table = [
      ["start to kernel_info_reply", ibcc.start_ms, ipy.start_ms],
      ["first `1 + 1` right after the reply", ibcc.first_rtt_ms[0], ipy.first_rtt_ms[0]],
      ["2nd and 3rd `1 + 1` right after it", later(ibcc), later(ipy)],
      ["`1 + 1` round trip, settled", ibcc.rtt_ms, ipy.rtt_ms],
      ["start to first BPF cell done", ibcc.bpf_from_start_ms, ipy.bpf_from_start_ms],
      ["RSS 8 s after the BPF cell (MB)", ibcc.rss_mb, ipy.rss_mb],
      ["PSS 8 s after the BPF cell (MB)", ibcc.pss_mb, ipy.pss_mb],
    ] as const;
    for (const [label, a, b] of table) console.log(`${label.padEnd(44)}${fmt(min(a))}${fmt(median(a))}${fmt(min(b))}${fmt(median(b))}`);
    const marks = milestones(trace);
    if (marks) console.log(`\n${marks}`);
    const note = "BCC column: ipykernel";
    const rows = [
      { job: "kernel start to kernel_info_reply", unit: "ms", ibcc: ibcc.start_ms, bcc: ipy.start_ms, note },
      { job: "kernel first `1 + 1` right after ready", unit: "ms", ibcc: ibcc.first_rtt_ms[0], bcc: ipy.first_rtt_ms[0], note },
      { job: "kernel 2nd, 3rd `1 + 1` after ready", unit: "ms", ibcc: later(ibcc), bcc: later(ipy), note },
      { job: "kernel `1 + 1` round trip, settled", unit: "ms", ibcc: ibcc.rtt_ms, bcc: ipy.rtt_ms, note },
      { job: "kernel start to first BPF cell done", unit: "ms", ibcc: ibcc.bpf_from_start_ms, bcc: ipy.bpf_from_start_ms, note: "BCC column: BPF(text=...) in ipykernel" },
      { job: "kernel RSS, 8 s after one BPF program", unit: "MB", ibcc: ibcc.rss_mb, bcc: ipy.rss_mb, note: "BCC column: ipykernel + BCC; kernel's processes" },
      {
        job: "kernel PSS, 8 s after one BPF program",
        unit: "MB",
        ibcc: ibcc.pss_mb,
        bcc: ipy.pss_mb,
        note: `BCC column: ipykernel + BCC; target <= 150 MB and <= ipykernel: ${median(ibcc.pss_mb) <= 150 && median(ibcc.pss_mb) <= median(ipy.pss_mb) ? "met" : "MISSED"}`,
      },
    ];
    console.log(JSON.stringify(rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
