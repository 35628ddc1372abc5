/** The BPF C that both front ends run, from bench/bpf/. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { benchSrc } from "./paths.js";

export function bpfText(name: string): string {
  return readFileSync(join(benchSrc, "bpf", name), "utf8");
}

/** The pid offset bench/c/fill.c passes to getpgid(). */
export const FILL_BASE = 0x40000000;
