/**
 * Client gone: the front end that started an event stream disconnects while
 * the stream runs, and a new client connects. The kernel kept its state: the
 * stream is still running (its output still flows), a variable set earlier is
 * still there, and the new client can interrupt the stream and go on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "../support/kernel-client.js";
import { RawClient } from "./raw-client.js";
import { sleep } from "./proc.js";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => {
  await k?.close();
});

const EVENTS = `%%bpf ev
BPF_PERF_OUTPUT(events);
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { u32 pid = bpf_get_current_pid_tgid() >> 32; events.perf_submit(args, &pid, sizeof(pid)); return 0; }`;

describe("a client that goes away mid-stream", () => {
  it("a new client finds the stream running and the session's variables kept", async () => {
    const a = new RawClient(k.connection);
    let b: RawClient | undefined;
    try {
      expect((await a.reply(a.execute("let kept = 41"))).content.status).toBe("ok");
      const setup = await a.reply(a.execute(EVENTS), 60_000);
      expect(setup.content.status, setup.content.evalue).toBe("ok");
      const stream = a.execute("globalThis.got = 0;\nconst poke = setInterval(() => process.ppid, 5);\nfor await (const e of ev.events('events')) { globalThis.got++; }");
      await a.waitFor((m) => m.channel === "iopub" && m.parent_header.msg_id === stream && m.header.msg_type === "execute_input");
      await sleep(1000);
      const aSaw = a.received.filter((m) => m.parent_header.msg_id === stream).length;
      a.close();

      await sleep(1500); // nobody connected; the kernel streams into the void
      b = new RawClient(k.connection);
      await sleep(500); // subscription settles
      const hb = await b.heartbeat();
      const iopubBefore = b.received.length;
      await sleep(1500);
      const streamOutputSeenByB = b.received.filter((m) => m.channel === "iopub" && m.parent_header.msg_id === stream).length;
      const interrupt = await b.reply(b.send("control", "interrupt_request", {}));
      expect(interrupt.content.status).toBe("ok");
      // The interrupted cell ends with an error, and stop_on_error would abort a
      // cell queued before that: wait until the stream's cell has gone idle.
      await b.waitFor((m) => m.channel === "iopub" && m.parent_header.msg_id === stream && m.header.msg_type === "status" && m.content.execution_state === "idle");
      const kept = await b.reply(b.execute("kept + 1"));
      const result = await b.waitFor((m) => m.header.msg_type === "execute_result" && m.parent_header.msg_id === kept.parent_header.msg_id);
      const got = await b.reply(b.execute("globalThis.got"));
      const gotResult = await b.waitFor((m) => m.header.msg_type === "execute_result" && m.parent_header.msg_id === got.parent_header.msg_id);
      console.log(
        `reconnect: client A saw ${aSaw} messages of the stream cell, then left; client B: heartbeat ${hb.toFixed(1)} ms, ` +
          `${streamOutputSeenByB} messages of A's stream cell in 1.5 s (${b.received.length - iopubBefore} in all), ` +
          `kept + 1 = ${result.content.data["text/plain"]}, events counted while nobody watched: ${gotResult.content.data["text/plain"]}`,
      );
      expect(kept.content.status).toBe("ok");
      expect(result.content.data["text/plain"]).toBe("42");
      expect(Number(gotResult.content.data["text/plain"])).toBeGreaterThan(0);
    } finally {
      a.close();
      b?.close();
    }
  }, 120_000);
});
