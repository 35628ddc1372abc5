/**
 * Signing, heartbeats, signals, shutdown and the transports: each test starts
 * its own kernel process and leaves nothing behind. These are about the
 * protocol and transport alone and run the small vm engine, whose kernels start
 * in a fraction of the time; heartbeats and interrupts with the TypeScript
 * engine are in with-language-engine.test.ts, every message type with it in
 * protocol.test.ts and under jupyter_client.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Dealer } from "zeromq";
import { CLI, KernelClient, freePorts } from "../support/kernel-client.js";
import { startKernel } from "./kernel-env.js";

const scratch = mkdtempSync(join(tmpdir(), "ibcc-lifecycle-"));
const kernels: KernelClient[] = [];
async function start(o: Parameters<typeof startKernel>[0] = {}): Promise<KernelClient> {
  const k = await startKernel(o);
  kernels.push(k);
  return k;
}

afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});

process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

describe("signatures", () => {
  it("drops a badly signed message without running it, then answers the next valid one", async () => {
    const k = await start({ vm: true });
    const marker = join(scratch, "forged");
    const code = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`;
    k.send("shell", "execute_request", { code }, { signature: "0".repeat(64) });
    k.send("shell", "execute_request", { code }, { signature: "" });
    k.send("control", "interrupt_request", {}, { signature: "f".repeat(64) });
    const x = await k.execute("'still here'");
    expect(x.reply.content.status).toBe("ok");
    expect(existsSync(marker)).toBe(false);
    const dropped = (): number => k.stderr.match(/dropped a (shell|control) message: invalid signature/g)?.length ?? 0;
    for (let i = 0; i < 50 && dropped() < 3; i++) await new Promise((r) => setTimeout(r, 100));
    expect(dropped()).toBe(3);
    // The genuine form of the same code does run: the marker test is meaningful.
    await k.execute(code);
    expect(readFileSync(marker, "utf8")).toBe("ran");
  });

  it("drops a replayed execute_request and a replayed interrupt_request", async () => {
    const k = await start({ vm: true });
    await k.execute("var runs = 0");
    const first = k.send("shell", "execute_request", { code: "runs += 1" });
    const captured = k.lastSent;
    await k.collect("shell", first);
    k.sendFrames("shell", captured);
    const irq = k.send("control", "interrupt_request", {});
    const irqFrames = k.lastSent;
    await k.waitFor((m, ch) => ch === "control" && m.parent_header.msg_id === irq);
    const loop = k.send("shell", "execute_request", { code: "(async () => { for (let i = 0; i < 30; i++) await sleep(100); return 'finished'; })()" });
    await k.waitFor((m) => m.parent_header.msg_id === loop && m.header.msg_type === "execute_input");
    k.sendFrames("control", irqFrames); // a replayed interrupt must not stop this cell
    const x = await k.collect("shell", loop);
    expect(x.reply.content.status).toBe("ok");
    const count = await k.execute("runs");
    expect(count.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("1");
    expect(k.stderr.match(/replayed signature/g)?.length).toBe(2);
  });

  it("accepts unsigned messages when the key is empty and unsigned is allowed", async () => {
    const k = await start({ vm: true, key: "", env: { IBCC_ALLOW_UNSIGNED: "1" } });
    expect((await k.execute("1 + 1")).reply.content.status).toBe("ok");
  });
});

describe("heartbeat", () => {
  it("answers while a cell awaits for 5 s and while a cell spins synchronously", async () => {
    const k = await start({ vm: true });
    const awaiting = k.send("shell", "execute_request", { code: "sleep(5000).then(() => 'slept')" });
    await k.waitFor((m) => m.parent_header.msg_id === awaiting && m.header.msg_type === "execute_input");
    const during: number[] = [];
    for (let i = 0; i < 5; i++) {
      during.push(await k.heartbeat(3000));
      await new Promise((r) => setTimeout(r, 500));
    }
    const reply = await k.waitFor((m, ch) => ch === "shell" && m.parent_header.msg_id === awaiting, 20_000);
    expect(reply.content.status).toBe("ok");

    const spinning = k.send("shell", "execute_request", { code: "const end = Date.now() + 2500; while (Date.now() < end) {}" });
    await k.waitFor((m) => m.parent_header.msg_id === spinning && m.header.msg_type === "execute_input");
    const busy = [await k.heartbeat(3000), await k.heartbeat(3000)];
    await k.waitFor((m, ch) => ch === "shell" && m.parent_header.msg_id === spinning, 20_000);
    console.log(`heartbeat round trips: awaiting cell ${during.map((t) => t.toFixed(1)).join(", ")} ms; sync loop ${busy.map((t) => t.toFixed(1)).join(", ")} ms`);
  });
});

describe("shutdown", () => {
  it("replies on control, runs the engine's shutdown and exits 0", async () => {
    for (const restart of [false, true]) {
      const flag = join(scratch, `shutdown-${restart}`);
      const k = await start({ vm: true, env: { IBCC_TEST_SHUTDOWN_FILE: flag } });
      const { reply, code } = await k.shutdown(restart);
      expect(reply.header.msg_type).toBe("shutdown_reply");
      expect(reply.content).toEqual({ status: "ok", restart });
      expect(code).toBe(0);
      expect(existsSync(flag)).toBe(true);
    }
  });

  it("exits 0 on SIGTERM after the engine's shutdown", async () => {
    const flag = join(scratch, "sigterm");
    const k = await start({ vm: true, env: { IBCC_TEST_SHUTDOWN_FILE: flag } });
    k.proc.kill("SIGTERM");
    expect(await k.waitExit()).toBe(0);
    expect(existsSync(flag)).toBe(true);
  });
});

describe("transports", () => {
  it("serves over ipc", async () => {
    const k = await start({ vm: true, transport: "ipc" });
    expect((await k.execute("'over ipc'")).reply.content.status).toBe("ok");
    expect(await k.heartbeat()).toBeGreaterThanOrEqual(0);
  });

  it("binds exactly the ports of the connection file, and picks and writes back ports given as 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ibcc-ports-"));
    const file = join(dir, "kernel.json");
    const [shell] = await freePorts(1);
    writeFileSync(file, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", shell_port: shell, iopub_port: 0, stdin_port: 0, control_port: 0, hb_port: 0, key: "k", signature_scheme: "hmac-sha256" }));
    const { spawn } = await import("node:child_process");
    const proc = spawn(process.execPath, [CLI, "kernel", file], { stdio: "ignore", env: { ...process.env, IBCC_DATA_DIR: join(dir, "data"), IBCC_ENGINE_MODULE: (await import("./kernel-env.js")).VM_ENGINE } });
    try {
      let info: Record<string, number> = {};
      for (let i = 0; i < 100 && !(info.hb_port > 0); i++) {
        await new Promise((r) => setTimeout(r, 100));
        info = JSON.parse(readFileSync(file, "utf8"));
      }
      expect(info.shell_port).toBe(shell);
      for (const p of ["iopub_port", "stdin_port", "control_port", "hb_port"]) expect(info[p]).toBeGreaterThan(0);
      // The picked control port really is the kernel's: a kernel_info there gets a reply.
      const d = new Dealer({ linger: 0, receiveTimeout: 5000 });
      d.connect(`tcp://127.0.0.1:${info.control_port}`);
      const header = { msg_id: "x", session: "s", username: "u", date: new Date().toISOString(), msg_type: "kernel_info_request", version: "5.3" };
      const parts = [header, {}, {}, {}].map((p) => Buffer.from(JSON.stringify(p)));
      const { createHmac } = await import("node:crypto");
      const h = createHmac("sha256", "k");
      parts.forEach((p) => h.update(p));
      await d.send(["<IDS|MSG>", h.digest("hex"), ...parts]);
      const reply = await d.receive();
      expect(JSON.parse(reply[2].toString()).msg_type).toBe("kernel_info_reply");
      d.close();
    } finally {
      proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
