/**
 * Runs one of bench/children/*.ts (compiled to dist/bench/children/) in a
 * fresh Node process, for figures a long-lived bench process would spoil: the
 * first compile of a process, and a process's resident memory.
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** T is the shape of the child's JSON, which the caller knows. */
export function runChild<T>(
  name: string,
  args: string[],
  timeoutMs = 240_000,
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<T> {
  const entry = join(here, "..", "children", name + ".js");
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeFlags, entry, ...args], { timeout: timeoutMs, maxBuffer: 1 << 24, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (!err) {
        try {
          return resolve(JSON.parse(last));
        } catch {
          /* reported below */
        }
      }
      // Node prints the stack first and its version last; the Error line says what happened.
      const lines = stderr.trim().split("\n");
      const tail = lines.find((l) => /^\w*Error\b|Error:/.test(l)) ?? lines.slice(-3).join(" | ");
      reject(new Error(`children/${name} failed: ${tail || last || err?.message}`));
    });
  });
}
