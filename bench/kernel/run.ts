/**
 * Kernel latency beside ipykernel: kernel start to the first kernel_info_reply,
 * and the `1 + 1` round trip (min/median of 20), both kernels driven by the same
 * jupyter_client code (latency.py) from kernelspecs installed in a scratch
 * JUPYTER_PATH. Prints a readable table, then the bench table's rows as JSON on
 * the last line (the "bcc" side of a row is ipykernel here).
 *
 *   node dist/bench/kernel/run.js [--quick]
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { installKernelspec } from "../../kernel/kernelspec/install.js";

interface Samples {
  start_ms: number[];
  rtt_ms: number[];
}

/** The repository root (this file runs from dist/bench/kernel/). */
function root(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function measure(kernel: string, env: NodeJS.ProcessEnv, starts: number, trips: number): Samples {
  const out = execFileSync("/usr/bin/python3", [join(root(), "bench/kernel/latency.py"), kernel, String(starts), String(trips)], {
    env,
    encoding: "utf8",
    timeout: 600_000,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as Samples;
}

const min = (xs: number[]): number => Math.min(...xs);
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const fmt = (x: number): string => x.toFixed(1).padStart(9);

function main(): void {
  const quick = process.argv.includes("--quick");
  const starts = quick ? 2 : 5;
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
    const env = { ...process.env, JUPYTER_PATH: jupyter, JUPYTER_RUNTIME_DIR: join(dir, "runtime"), IBCC_DATA_DIR: join(dir, "data"), IPYTHONDIR: join(dir, "ipython") };
    const ibcc = measure("ibcc", env, starts, trips);
    const ipy = measure("python3-bench", env, starts, trips);

    console.log(`kernel latency, jupyter_client ${starts} starts and ${trips} round trips each (ms)`);
    console.log(`${"".padEnd(34)}${"ibcc min".padStart(9)}${"median".padStart(9)}${"ipyk min".padStart(9)}${"median".padStart(9)}`);
    for (const [label, a, b] of [
      ["start to kernel_info_reply", ibcc.start_ms, ipy.start_ms],
      ["`1 + 1` round trip (reply + idle)", ibcc.rtt_ms, ipy.rtt_ms],
    ] as const) {
      console.log(`${label.padEnd(34)}${fmt(min(a))}${fmt(median(a))}${fmt(min(b))}${fmt(median(b))}`);
    }
    const rows = [
      { job: "kernel start to kernel_info_reply", unit: "ms", ibcc: ibcc.start_ms, bcc: ipy.start_ms, note: "BCC column: ipykernel" },
      { job: "kernel `1 + 1` round trip", unit: "ms", ibcc: ibcc.rtt_ms, bcc: ipy.rtt_ms, note: "BCC column: ipykernel" },
    ];
    console.log(JSON.stringify(rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
