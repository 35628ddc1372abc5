/**
 * Fuzz: 10,000+ random and mutated messages on shell and control leave the
 * kernel up and answering, and no forged message ever runs code (the canary
 * file its code would create never appears).
 *
 * Replays: the kernel keeps the signatures of the last 65,536 messages it
 * accepted (kernel/protocol/replay-guard.ts) and drops a message whose
 * signature it has seen, so a captured, validly signed execute_request runs
 * once however often it is sent again.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dealer } from "zeromq";
import { KernelClient } from "../support/kernel-client.js";
import { Fuzzer } from "./fuzz-messages.js";
import { until } from "./proc.js";

const COUNT = Number(process.env.IBCC_FUZZ_COUNT ?? 10_000);
const HUGE = 6;
const SEED = Number(process.env.IBCC_FUZZ_SEED ?? 20261125);

const scratch = mkdtempSync(join(tmpdir(), "ibcc-fuzz-"));
const canary = join(scratch, "canary");
const counter = join(scratch, "counter");
let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start({ env: { IBCC_DATA_DIR: join(scratch, "data") } });
});
afterAll(async () => {
  await k?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Sends a signed kernel_info_request on `socket` and reads until its reply. */
async function sentinel(fuzz: Fuzzer, socket: Dealer): Promise<void> {
  const header = fuzz.header("kernel_info_request");
  const parts = [header, {}, {}, {}].map((p) => Buffer.from(JSON.stringify(p)));
  await socket.send(["<IDS|MSG>", fuzz.sign(parts), ...parts]);
  const id = String(header.msg_id);
  for (;;) {
    const frames = await socket.receive();
    const at = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
    if (at >= 0 && frames[at + 3]?.toString().includes(id)) return;
  }
}

describe("fuzzed shell and control messages", () => {
  it(`${COUNT} hostile messages: kernel up, nothing forged runs`, async () => {
    const canaryCode = `require('node:fs').writeFileSync(${JSON.stringify(canary)}, 'forged message ran')`;
    const fuzz = new Fuzzer(k.connection.key as string, canaryCode, SEED);
    const sockets = { shell: new Dealer({ linger: 0, sendHighWaterMark: 0, receiveTimeout: 120_000 }), control: new Dealer({ linger: 0, sendHighWaterMark: 0, receiveTimeout: 120_000 }) };
    sockets.shell.connect(k.endpoint("shell_port"));
    sockets.control.connect(k.endpoint("control_port"));
    const kinds = new Map<string, number>();
    const t0 = performance.now();
    let bytes = 0;
    try {
      for (let i = 0; i < COUNT + HUGE; i++) {
        const m = fuzz.message(i % Math.floor(COUNT / HUGE) === 7);
        kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
        bytes += m.frames.reduce((n, f) => n + f.length, 0);
        // A Dealer refuses to send zero frames; an empty message is one empty frame.
        await (i % 3 === 0 ? sockets.control : sockets.shell).send(m.frames.length ? m.frames : [Buffer.alloc(0)]);
      }
      const sentMs = performance.now() - t0;
      // A genuine request behind the flood on each fuzzing connection: its
      // reply comes once the kernel has read everything sent before it.
      await Promise.all([sentinel(fuzz, sockets.shell), sentinel(fuzz, sockets.control)]);
      const handledMs = performance.now() - t0;
      const info = await k.request("shell", "kernel_info_request", {}, 30_000);
      const x = await k.execute("'still here'");
      const rate = ((COUNT + HUGE) / handledMs) * 1000;
      console.log(
        `fuzz: ${COUNT + HUGE} messages (${(bytes / 1e6).toFixed(1)} MB, ${HUGE} of 3-4 MB) sent in ${sentMs.toFixed(0)} ms, ` +
          `handled in ${handledMs.toFixed(0)} ms: ${rate.toFixed(0)} messages/s; seed ${SEED}`,
      );
      console.log(`fuzz kinds: ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(", ")}`);
      const dropped = k.stderr.match(/dropped a (shell|control) message/g)?.length ?? 0;
      console.log(`kernel dropped ${dropped} messages (logged on its stderr)`);
      if (process.env.IBCC_FUZZ_DEBUG) console.log(k.stderr.slice(0, 3000), k.stderr.slice(-3000));
      expect(info.reply.content.status).toBe("ok");
      expect(x.reply.content.status).toBe("ok");
      expect(await k.heartbeat(5000)).toBeGreaterThan(0);
      expect(k.proc.exitCode).toBe(null);
      expect(existsSync(canary)).toBe(false);
      expect(dropped).toBeGreaterThan(COUNT / 2);
    } finally {
      sockets.shell.close();
      sockets.control.close();
    }
  }, 180_000);

  it("a replayed, validly signed execute_request runs once", async () => {
    const code = `require('node:fs').appendFileSync(${JSON.stringify(counter)}, 'x')`;
    const fuzz = new Fuzzer(k.connection.key as string, code, SEED + 1);
    const frames = fuzz.canary("valid");
    const shell = new Dealer({ linger: 0 });
    shell.connect(k.endpoint("shell_port"));
    try {
      for (let i = 0; i < 20; i++) await shell.send(frames);
      // Answered in order: once this cell is answered, every replay was read.
      await k.execute("'after the replays'");
      expect(await until(() => existsSync(counter), 5000)).toBe(true);
      const runs = readFileSync(counter, "utf8").length;
      // The kernel logs each drop on stderr, which reaches this process through a pipe, a little later.
      const replayCount = () => k.stderr.match(/replayed signature/g)?.length ?? 0;
      await until(() => replayCount() >= 19, 5000);
      const replays = replayCount();
      console.log(`replay: sent 20 copies of one signed execute_request; it ran ${runs} time(s), ${replays} dropped as replays`);
      expect(runs).toBe(1);
      expect(replays).toBe(19);
    } finally {
      shell.close();
    }
  });

  it("the canary code does run when it is genuinely signed (the canary test means something)", async () => {
    const x = await k.execute(`require('node:fs').writeFileSync(${JSON.stringify(canary)}, 'ran')`);
    expect(x.reply.content.status).toBe("ok");
    expect(readFileSync(canary, "utf8")).toBe("ran");
  });
});
