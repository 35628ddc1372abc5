/**
 * Compiles the bench's C helpers (bench/c/*.c) into a scratch folder, again
 * only when a source is newer than its binary.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchSrc } from "./paths.js";

const helpers: Record<string, string[]> = {
  fill: [],
  getppid_loop: [],
  batch_floor: ["-lbpf"],
  detach_floor: ["-lbpf", "-lpthread"],
};

export function buildHelpers(): Record<string, string> {
  const out = join(tmpdir(), "ibcc-bench");
  mkdirSync(out, { recursive: true });
  const bin: Record<string, string> = {};
  for (const [name, libs] of Object.entries(helpers)) {
    const src = join(benchSrc, "c", name + ".c");
    const exe = join(out, name);
    if (!existsSync(exe) || statSync(exe).mtimeMs < statSync(src).mtimeMs) {
      execFileSync("cc", ["-O2", "-Wall", "-o", exe, src, ...libs], { stdio: ["ignore", "inherit", "inherit"] });
    }
    bin[name] = exe;
  }
  return bin;
}
