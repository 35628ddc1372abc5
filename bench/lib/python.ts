/**
 * Runs one BCC half (bench/bcc/NAME.py) with Debian's python3, the one that
 * has python3-bpfcc, and returns the JSON object on its last line of stdout.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { benchSrc } from "./paths.js";

export const PYTHON = "/usr/bin/python3";

/** T is the shape of the script's JSON, which the caller knows. */
export function runBcc<T>(script: string, args: Record<string, string | number>, timeoutMs = 180_000): Promise<T> {
  const argv = [join(benchSrc, "bcc", script + ".py")];
  for (const [k, v] of Object.entries(args)) argv.push("--" + k.replace(/_/g, "-"), String(v));
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      if (code === 0) {
        try {
          return resolve(JSON.parse(last));
        } catch {
          /* fall through to the error below */
        }
      }
      const tail = err.trim().split("\n").slice(-5).join("\n");
      reject(new Error(`bcc/${script}.py failed (${signal ?? "exit " + code}): ${tail || last}`));
    });
  });
}
