/**
 * A MagicContext for driving the BPF side directly in tests: it records what
 * a cell would show (displays, updates, streams, globals) and lets a test
 * interrupt the cell. The BPF work under it is real.
 */
import { execFileSync } from "node:child_process";
import type { CellIO, DisplayHandle, MagicContext } from "../../kernel/plugin.js";

export interface Recorded {
  displays: unknown[];
  updates: unknown[];
  streams: { name: string; text: string }[];
  globals: Map<string, { value: unknown; type?: string }>;
}

export function testContext(): MagicContext & Recorded & { interrupt(): void } {
  const ac = new AbortController();
  const rec: Recorded = { displays: [], updates: [], streams: [], globals: new Map() };
  let n = 0;
  const ctx: MagicContext & Recorded & { interrupt(): void } = {
    ...rec,
    executionCount: 1,
    get signal() {
      return ac.signal;
    },
    async display(value: unknown): Promise<DisplayHandle> {
      rec.displays.push(value);
      return { displayId: `d${n++}`, update: async (v: unknown) => void rec.updates.push(v) };
    },
    stream(name, text) {
      rec.streams.push({ name, text });
    },
    clearOutput() {},
    setGlobal(name, value, type) {
      rec.globals.set(name, { value, type });
    },
    getGlobal(name) {
      return rec.globals.get(name)?.value;
    },
    interrupt() {
      ac.abort();
    },
  };
  return ctx;
}

/** What a value displays as: its bundle's text/plain. */
export async function plainText(value: unknown): Promise<string> {
  const f = (value as Record<symbol, () => unknown>)[Symbol.for("Jupyter.display")];
  const b = (await f.call(value)) as { data?: Record<string, unknown> } & Record<string, unknown>;
  return String((b.data ?? b)["text/plain"]);
}

/** Ids of every BPF program loaded on the machine (bpftool prog show), or of those with one name. */
export function loadedProgramIds(name?: string): number[] {
  const out = JSON.parse(execFileSync("bpftool", ["prog", "show", "--json"], { encoding: "utf8" })) as { id: number; name?: string }[];
  return out.filter((p) => name === undefined || p.name === name).map((p) => p.id);
}

export type { CellIO };
