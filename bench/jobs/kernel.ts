/**
 * Job 6: kernel start-up and `1+1` round trip against ipykernel, measured by
 * bench/kernel/ (its own files). Its entry runs as a child; a last stdout line
 * that is a JSON array of rows joins the table, anything else is printed below it.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Job, Row } from "../lib/row.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "kernel");

function entry(): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const name of ["run.js", "index.js", "main.js", "bench.js"]) if (existsSync(join(dir, name))) return join(dir, name);
  const js = readdirSync(dir).filter((f) => f.endsWith(".js"));
  return js.length === 1 ? join(dir, js[0]) : undefined;
}

function isRow(x: unknown): x is Row {
  const r = x as Partial<Row> | null;
  return !!r && typeof r.job === "string" && typeof r.unit === "string";
}

export const job: Job = {
  name: "kernel",
  async run(ctx) {
    const file = entry();
    if (!file) return [{ job: "kernel start / 1+1 round trip", unit: "ms", note: "not measured: no entry in bench/kernel/ yet" }];
    ctx.log(`kernel: ${file}`);
    const args = ctx.quick ? ["--quick"] : [];
    const { stdout, error } = await new Promise<{ stdout: string; error?: Error }>((resolve) =>
      execFile(process.execPath, [file, ...args], { timeout: 900_000, maxBuffer: 1 << 24 }, (err, out, errOut) =>
        resolve({ stdout: out, error: err ? new Error(errOut.trim().split("\n").slice(-3).join(" | ") || err.message) : undefined }),
      ),
    );
    if (error) return [{ job: "kernel start / 1+1 round trip", unit: "ms", note: "bench/kernel failed: " + error.message.slice(0, 120) }];
    const lines = stdout.trim().split("\n");
    try {
      const parsed = JSON.parse(lines[lines.length - 1]);
      if (Array.isArray(parsed) && parsed.every(isRow)) {
        if (lines.length > 1) ctx.appendix("bench/kernel", lines.slice(0, -1).join("\n"));
        return parsed;
      }
    } catch {
      /* not rows: printed as it is */
    }
    ctx.appendix("bench/kernel", stdout.trim());
    return [{ job: "kernel start / 1+1 round trip", unit: "", note: "see bench/kernel output below the table" }];
  },
};
