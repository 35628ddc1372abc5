/** An in-memory ExecutionIO that records what a cell sends, for engine tests. */
import type { ExecutionIO } from "../../kernel/engine.js";
import type { DisplayData } from "../../kernel/plugin.js";

export type Sent =
  | { type: "stream"; name: "stdout" | "stderr"; text: string }
  | { type: "display"; displayId: string; data: DisplayData }
  | { type: "update"; displayId: string; data: DisplayData }
  | { type: "clear"; wait: boolean };

export interface RecordingIO extends ExecutionIO {
  sent: Sent[];
  stdout(): string;
  stderr(): string;
  abort(): void;
}

let counter = 0;

export function recordingIO(executionCount = ++counter, inputs: string[] = []): RecordingIO {
  const sent: Sent[] = [];
  const controller = new AbortController();
  const text = (name: string) =>
    sent
      .filter((s): s is Extract<Sent, { type: "stream" }> => s.type === "stream" && s.name === name)
      .map((s) => s.text)
      .join("");
  return {
    sent,
    executionCount,
    signal: controller.signal,
    abort: () => controller.abort(),
    stdout: () => text("stdout"),
    stderr: () => text("stderr"),
    display(data, { displayId, update }) {
      sent.push({ type: update ? "update" : "display", displayId, data });
    },
    stream(name, text) {
      sent.push({ type: "stream", name, text });
    },
    clearOutput(wait = false) {
      sent.push({ type: "clear", wait });
    },
    async input(prompt) {
      sent.push({ type: "stream", name: "stdout", text: prompt });
      const next = inputs.shift();
      if (next === undefined) throw new Error("no input");
      return next;
    },
  };
}

/**
 * Waits until the cell's stderr contains `text`: type warnings come from the
 * language worker and may arrive after the cell has finished.
 */
export async function stderrSoon(io: RecordingIO, text: string, timeoutMs = 60_000): Promise<string> {
  const t0 = performance.now();
  while (!io.stderr().includes(text) && performance.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 20));
  return io.stderr();
}
