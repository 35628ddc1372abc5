/**
 * The kernel's protocol layer through our own zeromq client: every shell and
 * control message type, iopub output shapes, stop_on_error, stdin, comms and
 * history, each reply checked against the messaging spec.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, type Msg } from "../support/kernel-client.js";
import { startKernel } from "./kernel-env.js";
import { checkAll } from "./message-spec.js";

let k: KernelClient;

beforeAll(async () => {
  k = await startKernel();
});

afterAll(async () => {
  await k?.close();
});

/** The text/plain of an execution's execute_result. */
function result(x: { outputs: Msg[] }): string | undefined {
  return x.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"];
}

function types(msgs: Msg[]): string[] {
  return msgs.map((m) => (m.header.msg_type === "status" ? `status:${m.content.execution_state}` : m.header.msg_type));
}

describe("kernel_info", () => {
  it("answers on shell and on control, with busy/idle on iopub around both", async () => {
    for (const channel of ["shell", "control"] as const) {
      const x = await k.request(channel, "kernel_info_request", {});
      expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
      expect(types(x.iopub)).toEqual(["status:busy", "status:idle"]);
      const c = x.reply.content;
      expect(c.protocol_version).toBe("5.3");
      expect(c.implementation).toBe("ibcc");
      expect(c.implementation_version).toMatch(/^\d+\.\d+\.\d+/);
      expect(c.language_info).toMatchObject({
        name: "typescript",
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: "typescript",
        pygments_lexer: "typescript",
      });
    }
  });
});

describe("execute", () => {
  it("sends busy, execute_input, stream, execute_result, idle in order, and counts", async () => {
    const before = (await k.execute("1")).reply.content.execution_count;
    const x = await k.execute("console.log('hello'); 6 * 7");
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    expect(types(x.iopub)).toEqual(["status:busy", "execute_input", "stream", "execute_result", "status:idle"]);
    expect(x.reply.content).toMatchObject({ status: "ok", execution_count: before + 1 });
    expect(x.iopub[1].content).toEqual({ code: "console.log('hello'); 6 * 7", execution_count: before + 1 });
    expect(KernelClient.stdout(x)).toBe("hello\n");
    expect(result(x)).toBe("42");
  });

  it("joins stream writes of one tick into few messages, in order with other output", async () => {
    const x = await k.execute("for (let i = 0; i < 2000; i++) console.log(i);\nconsole.error('to stderr');\nawait display('shown');\nconsole.log('after display');\n'done'");
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    const streams = x.outputs.filter((m) => m.header.msg_type === "stream");
    expect(streams.length).toBeLessThan(20);
    expect(KernelClient.stdout(x)).toBe(Array.from({ length: 2000 }, (_, i) => `${i}\n`).join("") + "after display\n");
    const order = x.outputs.map((m) => (m.header.msg_type === "stream" ? m.content.name : m.header.msg_type));
    const compact = order.filter((t, i) => t !== order[i - 1]);
    expect(compact).toEqual(["stdout", "stderr", "display_data", "stdout", "execute_result"]);
    console.log(`2000 console.log lines arrived in ${streams.filter((m) => m.content.name === "stdout").length} stream messages`);
  });

  it("silent runs quietly and does not count; store_history false does not count", async () => {
    const n = (await k.execute("0")).reply.content.execution_count;
    const silent = await k.execute("console.log('shh'); 5", { silent: true });
    expect(silent.reply.content.execution_count).toBe(n);
    expect(types(silent.iopub)).toEqual(["status:busy", "status:idle"]);
    const unstored = await k.execute("5", { store_history: false });
    expect(unstored.reply.content.execution_count).toBe(n);
    expect((await k.execute("0")).reply.content.execution_count).toBe(n + 1);
  });

  it("publishes display_data, update_display_data and clear_output with object transients", async () => {
    const x = await k.execute(
      "const h = await display('first');\nawait h.update('second');\nclearOutput(true);\nawait display({ [Symbol.for('Jupyter.display')]: () => ({ 'text/html': '<b>x</b>', 'text/plain': 'x' }) });\nundefined",
    );
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    expect(types(x.outputs)).toEqual(["display_data", "update_display_data", "clear_output", "display_data"]);
    const [first, update, clear, html] = x.outputs;
    expect(first.content.transient.display_id).toBe(update.content.transient.display_id);
    expect(update.content.data["text/plain"]).toContain("second");
    expect(clear.content.wait).toBe(true);
    expect(html.content.data["text/html"]).toBe("<b>x</b>");
    for (const m of x.outputs) if ("transient" in m.content) expect(m.content.transient).not.toBeNull();
  });

  it("reports an error as an error message and an error reply", async () => {
    const x = await k.execute("throw new TypeError('nope')");
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    expect(types(x.outputs)).toEqual(["error"]);
    expect(x.reply.content).toMatchObject({ status: "error", ename: "TypeError", evalue: "nope" });
    expect(x.outputs[0].content.traceback.length).toBeGreaterThan(0);
  });

  it("aborts the cells queued behind a failing cell when stop_on_error is set", async () => {
    const failing = k.send("shell", "execute_request", { code: "throw new Error('stop')", stop_on_error: true });
    const queued = [1, 2].map(() => k.send("shell", "execute_request", { code: "(globalThis as any).ranAfterError = true" }));
    const first = await k.collect("shell", failing);
    expect(first.reply.content.status).toBe("error");
    for (const id of queued) {
      const x = await k.collect("shell", id);
      expect(x.reply.content.status).toBe("aborted");
      expect(types(x.iopub)).toEqual(["status:busy", "status:idle"]);
    }
    expect(result(await k.execute("(globalThis as any).ranAfterError === true"))).toBe("false");
  });

  it("keeps running queued cells when stop_on_error is false", async () => {
    const failing = k.send("shell", "execute_request", { code: "throw new Error('go on')", stop_on_error: false });
    const next = k.send("shell", "execute_request", { code: "'after'" });
    expect((await k.collect("shell", failing)).reply.content.status).toBe("error");
    expect((await k.collect("shell", next)).reply.content.status).toBe("ok");
  });

  it("evaluates user_expressions, errors included", async () => {
    const x = await k.execute("var answer = 41", { user_expressions: { a: "answer + 1", b: "missing.name" } });
    const ue = x.reply.content.user_expressions;
    expect(ue.a).toMatchObject({ status: "ok", data: { "text/plain": "42" } });
    expect(ue.b).toMatchObject({ status: "error", ename: "ReferenceError" });
  });

  it("sends output from background work with the cell's parent and no new busy/idle", async () => {
    const x = await k.execute("setTimeout(() => console.log('late'), 300); 'returned'");
    const id = x.reply.parent_header.msg_id!;
    const late = await k.waitFor((m, ch) => ch === "iopub" && m.header.msg_type === "stream" && m.content.text === "late\n", 5000);
    expect(late.parent_header.msg_id).toBe(id);
    const statuses = k.iopubLog.filter((m) => m.parent_header.msg_id === id && m.header.msg_type === "status");
    expect(statuses.map((m) => m.content.execution_state)).toEqual(["busy", "idle"]);
  });
});

describe("stray errors", () => {
  it("shows a dropped rejection and a throw in a timer on the cell's stderr, and the kernel lives on", async () => {
    const x = await k.execute("Promise.reject(new Error('dropped promise'));\nsetTimeout(() => { throw new Error('thrown in a timer'); }, 50);\n1");
    const id = x.reply.parent_header.msg_id;
    for (const text of ["dropped promise", "thrown in a timer"]) {
      const m = await k.waitFor((m, ch) => ch === "iopub" && m.header.msg_type === "stream" && m.content.name === "stderr" && m.content.text.includes(text), 10_000);
      expect(m.parent_header.msg_id).toBe(id);
    }
    expect(k.proc.exitCode).toBeNull();
    expect(result(await k.execute("2 + 2"))).toBe("4");
  });
});

describe("stdin", () => {
  it("asks for input over stdin and returns the reply to the cell", async () => {
    const id = k.send("shell", "execute_request", { code: "await input('name? ')", allow_stdin: true });
    const request = await k.waitFor((m, ch) => ch === "stdin" && m.header.msg_type === "input_request");
    expect(checkAll([request])).toEqual([]);
    expect(request.content).toEqual({ prompt: "name? ", password: false });
    expect(request.parent_header.msg_id).toBe(id);
    k.inputReply("ada");
    const x = await k.collect("shell", id);
    expect(x.iopub.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toContain("ada");
  });

  it("refuses input when the front end does not allow stdin", async () => {
    const x = await k.execute("await input('x')", { allow_stdin: false });
    expect(x.reply.content.status).toBe("error");
    expect(x.reply.content.evalue).toMatch(/not allowed/);
  });
});

describe("complete, inspect, is_complete", () => {
  it("counts cursor positions in code points (astral characters before the cursor)", async () => {
    await k.execute("var zebraStripes = 1");
    const code = "'🦓🦓'; zebraS";
    const cursor = [...code].length; // 13 code points, 15 UTF-16 units
    const x = await k.request("shell", "complete_request", { code, cursor_pos: cursor });
    expect(checkAll([x.reply, ...x.iopub])).toEqual([]);
    expect(types(x.iopub)).toEqual(["status:busy", "status:idle"]);
    expect(x.reply.content.matches).toContain("zebraStripes");
    expect(x.reply.content.cursor_end).toBe(cursor);
    expect(x.reply.content.cursor_start).toBe(cursor - "zebraS".length);
  });

  it("inspects a name and reports nothing at blank space", async () => {
    const found = await k.request("shell", "inspect_request", { code: "zebraStripes", cursor_pos: 12, detail_level: 0 });
    const missing = await k.request("shell", "inspect_request", { code: "   ", cursor_pos: 1, detail_level: 1 });
    expect(checkAll([found.reply, missing.reply])).toEqual([]);
    expect(found.reply.content.found).toBe(true);
    expect(JSON.stringify(found.reply.content.data)).toContain("zebraStripes");
    expect(missing.reply.content).toMatchObject({ status: "ok", found: false, data: {} });
  });

  it("tells complete from incomplete code, with an indent", async () => {
    const done = await k.request("shell", "is_complete_request", { code: "Math.max(1)" });
    const open = await k.request("shell", "is_complete_request", { code: "Math.max(1," });
    expect(checkAll([done.reply, open.reply])).toEqual([]);
    expect(done.reply.content).toEqual({ status: "complete" });
    expect(open.reply.content.status).toBe("incomplete");
    expect(typeof open.reply.content.indent).toBe("string");
  });
});

describe("history", () => {
  it("serves tail, range and search", async () => {
    await k.execute("'history marker one'");
    await k.execute("'history marker two'");
    const tail = await k.request("shell", "history_request", { hist_access_type: "tail", n: 2, output: false, raw: true });
    expect(checkAll([tail.reply])).toEqual([]);
    expect(tail.reply.content.history.map((h: unknown[]) => h[2])).toEqual(["'history marker one'", "'history marker two'"]);
    const [session, line] = tail.reply.content.history[1];
    const range = await k.request("shell", "history_request", { hist_access_type: "range", session: 0, start: line, stop: line + 1, output: true, raw: true });
    expect(range.reply.content.history).toEqual([[session, line, ["'history marker two'", "'history marker two'"]]]);
    const search = await k.request("shell", "history_request", { hist_access_type: "search", pattern: "*marker o*", n: 5, output: false, raw: true, unique: true });
    expect(search.reply.content.history.map((h: unknown[]) => h[2])).toEqual(["'history marker one'"]);
  });
});

describe("comms", () => {
  it("answers comm_info and closes a comm opened for an unknown target", async () => {
    const info = await k.request("shell", "comm_info_request", {});
    expect(checkAll([info.reply])).toEqual([]);
    expect(info.reply.content.comms).toEqual({});
    const id = k.send("shell", "comm_open", { comm_id: "c-1", target_name: "no.such.target", data: {} });
    const close = await k.waitFor((m, ch) => ch === "iopub" && m.parent_header.msg_id === id && m.header.msg_type === "comm_close");
    expect(close.content).toEqual({ comm_id: "c-1", data: {} });
    await k.waitFor((m, ch) => ch === "iopub" && m.parent_header.msg_id === id && m.content.execution_state === "idle");
    // Messages to and closes of unknown comms are logged, never fatal.
    const msg = k.send("shell", "comm_msg", { comm_id: "c-1", data: { x: 1 } });
    await k.waitFor((m) => m.parent_header.msg_id === msg && m.content.execution_state === "idle");
    const closed = k.send("shell", "comm_close", { comm_id: "c-1", data: {} });
    await k.waitFor((m) => m.parent_header.msg_id === closed && m.content.execution_state === "idle");
    expect((await k.execute("1")).reply.content.status).toBe("ok");
  });
});

describe("unknown messages", () => {
  it("are logged and the kernel goes on", async () => {
    const id = k.send("shell", "no_such_request", {});
    await k.waitFor((m) => m.parent_header.msg_id === id && m.content.execution_state === "idle");
    expect(k.stderr).toContain('no handler for shell message "no_such_request"');
    expect((await k.execute("2")).reply.content.status).toBe("ok");
  });
});
