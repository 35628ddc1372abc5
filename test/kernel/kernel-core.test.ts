/**
 * The protocol layer in this process: KernelCore on an in-memory transport
 * with the real TypeScript engine (no plugins). Requests go in as signed
 * frames; every message out is decoded and checked against the messaging
 * specification. Needs no root, no sockets and no addon.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Engine } from "../../kernel/engine.js";
import { createEngine } from "../../kernel/engine/index.js";
import { HistoryStore } from "../../kernel/history/store.js";
import type { Msg } from "../support/kernel-client.js";
import { MemoryKernel } from "../support/memory-transport.js";
import { checkAll } from "./message-spec.js";

let dir: string;
let engine: Engine;
let k: MemoryKernel;
const stderr: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ibcc-core-"));
  engine = createEngine({ plugins: [], typeCheck: false });
  k = new MemoryKernel({ engine, history: new HistoryStore(join(dir, "history.jsonl")) });
  // The kernel logs dropped messages on stderr; keep them for the tests, out of the report.
  vi.spyOn(process.stderr, "write").mockImplementation((text) => {
    stderr.push(String(text));
    return true;
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await engine.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

function types(msgs: Msg[]): string[] {
  return msgs.map((m) => (m.header.msg_type === "status" ? `status:${m.content.execution_state}` : m.header.msg_type));
}

describe("KernelCore on an in-memory transport", () => {
  it("answers kernel_info on shell and control, between busy and idle", async () => {
    for (const channel of ["shell", "control"] as const) {
      const x = await k.request(channel, "kernel_info_request");
      expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
      expect(x.reply.header.msg_type).toBe("kernel_info_reply");
      expect(x.reply.content).toMatchObject({ status: "ok", protocol_version: "5.3", implementation: "ibcc" });
      expect(types(x.iopub)).toEqual(["status:busy", "status:idle"]);
    }
  });

  it("runs 1+1: execute_input, execute_result, idle on iopub in order, the reply counted", async () => {
    const x = await k.execute("1+1");
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    expect(types(x.iopub)).toEqual(["status:busy", "execute_input", "execute_result", "status:idle"]);
    const count = x.reply.content.execution_count;
    expect(x.reply.content).toMatchObject({ status: "ok", user_expressions: {}, payload: [] });
    expect(x.iopub[1].content).toEqual({ code: "1+1", execution_count: count });
    expect(x.iopub[2].content).toEqual({ execution_count: count, data: { "text/plain": "2" }, metadata: {} });
    // iopub carries ipykernel's topic, so clients filtering on it still match.
    const frames = k.iopubFrames.find((f) => f.some((b) => b.toString().includes('"msg_type":"execute_result"')))!;
    expect(frames[0].toString()).toMatch(/^kernel\.[\w-]+\.execute_result$/);
    expect((await k.execute("2")).reply.content.execution_count).toBe(count + 1);
  });

  it("shows display() output, its update, and a Promise's resolved value", async () => {
    const x = await k.execute("const h = display('first');\nawait h.update('second');\nPromise.resolve(40 + 2)");
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    expect(types(x.iopub)).toEqual(["status:busy", "execute_input", "display_data", "update_display_data", "execute_result", "status:idle"]);
    const [shown, updated, result] = x.iopub.slice(2, 5).map((m) => m.content);
    expect(shown.data).toEqual({ "text/plain": "'first'" });
    expect(updated.data).toEqual({ "text/plain": "'second'" });
    expect(updated.transient.display_id).toBe(shown.transient.display_id);
    expect(result.data).toEqual({ "text/plain": "42" });
  });

  it("reports an error cell on iopub and in the reply, and aborts the cell queued behind it", async () => {
    const failing = k.frames("execute_request", { code: "throw new TypeError('boom')", stop_on_error: true });
    const queued = k.frames("execute_request", { code: "'never runs'" });
    k.deliver("shell", failing.frames);
    k.deliver("shell", queued.frames);
    await vi.waitFor(() => {
      const idle = k.sent.filter((s) => s.msg.parent_header.msg_id === queued.msgId && s.msg.content.execution_state === "idle");
      expect(idle.length).toBe(1);
    }, { timeout: 10_000 });
    const of = (id: string) => k.sent.filter((s) => s.msg.parent_header.msg_id === id);
    const fail = of(failing.msgId);
    expect(checkAll(fail.map((s) => s.msg))).toEqual([]);
    expect(types(fail.filter((s) => s.channel === "iopub").map((s) => s.msg))).toEqual(["status:busy", "execute_input", "error", "status:idle"]);
    const error = fail.find((s) => s.msg.header.msg_type === "error")!.msg.content;
    expect(error).toMatchObject({ ename: "TypeError", evalue: "boom" });
    expect(error.traceback.join("\n")).toMatch(/<cell \d+>:1/);
    expect(fail.find((s) => s.channel === "shell")!.msg.content).toMatchObject({ status: "error", ename: "TypeError", evalue: "boom" });
    const aborted = of(queued.msgId);
    expect(aborted.find((s) => s.channel === "shell")!.msg.content.status).toBe("aborted");
    expect(aborted.some((s) => s.msg.header.msg_type === "execute_input")).toBe(false);
  });

  it("completes and inspects magic names", async () => {
    const c = await k.request("shell", "complete_request", { code: "%lsm", cursor_pos: 4 });
    expect(checkAll([c.reply])).toEqual([]);
    expect(c.reply.content).toMatchObject({ status: "ok", matches: ["%lsmagic"], cursor_start: 0, cursor_end: 4 });
    const i = await k.request("shell", "inspect_request", { code: "%lsmagic", cursor_pos: 3, detail_level: 0 });
    expect(checkAll([i.reply])).toEqual([]);
    expect(i.reply.content).toMatchObject({ status: "ok", found: true });
    expect(i.reply.content.data["text/plain"]).toMatch(/^%lsmagic: /);
  });

  it("drops a wrongly signed message without a reply or a status", async () => {
    const before = k.sent.length;
    const bad = k.frames("execute_request", { code: "globalThis.forged = true" }, { signature: "0".repeat(64) });
    k.deliver("shell", bad.frames);
    // A well-signed request after it is answered, and nothing answers the forged one.
    const x = await k.execute("typeof globalThis.forged");
    expect(x.iopub.find((m) => m.header.msg_type === "execute_result")!.content.data["text/plain"]).toBe("'undefined'");
    expect(k.sent.slice(before).filter((s) => s.msg.parent_header.msg_id === bad.msgId)).toEqual([]);
    expect(stderr.join("")).toContain("dropped a shell message: invalid signature");
  });

  it("drops a replayed message", async () => {
    const once = k.frames("execute_request", { code: "globalThis.runs = (globalThis.runs ?? 0) + 1" });
    k.deliver("shell", once.frames);
    k.deliver("shell", once.frames);
    const x = await k.execute("globalThis.runs");
    expect(x.iopub.find((m) => m.header.msg_type === "execute_result")!.content.data["text/plain"]).toBe("1");
    expect(stderr.join("")).toContain("dropped a shell message: replayed signature");
  });

  it("answers comm_info with no comms open", async () => {
    const x = await k.request("shell", "comm_info_request", {});
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    expect(x.reply.content).toEqual({ status: "ok", comms: {} });
  });

  it("shuts down on control: the reply, then the engine's shutdown, then exit", async () => {
    const x = await k.request("control", "shutdown_request", { restart: false });
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    expect(x.reply.content).toEqual({ status: "ok", restart: false });
    await vi.waitFor(() => expect(k.exited).toBe(false), { timeout: 5000 });
  });
});
