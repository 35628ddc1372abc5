/**
 * A Jupyter client over zeromq for the test suites: starts `ibcc kernel` on a
 * fresh connection file with free ports, runs requests and collects the iopub
 * messages each one caused, and stops or kills the kernel. Reusable by any suite
 * that needs a live kernel (`KernelClient.start()`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Dealer, Request, Subscriber } from "zeromq";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(ROOT, "dist/kernel/cli.js");

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Msg {
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Record<string, any>;
  buffers: Buffer[];
}

export interface StartOptions {
  /** Extra environment for the kernel process. */
  env?: Record<string, string>;
  transport?: "tcp" | "ipc";
  /** Signing key; "" for an unsigned connection. */
  key?: string;
  /** How long to wait for the first kernel_info_reply. */
  readyTimeoutMs?: number;
  /**
   * Launch the kernel as jupyter_client does, from a launcher process (a shell
   * here) named in JPY_PARENT_PID; `proc` is then the launcher, `kernelPid` the kernel.
   */
  viaLauncher?: boolean;
  /** Connect iopub only once the first kernel_info_reply is in (a client whose SUB joins late). */
  iopubLate?: boolean;
}

export interface Exchange {
  reply: Msg;
  /** Every iopub message whose parent is the request, busy and idle included. */
  iopub: Msg[];
}

export interface Execution extends Exchange {
  /** The iopub messages other than status and execute_input. */
  outputs: Msg[];
}

type Channel = "shell" | "control" | "stdin";

export class KernelClient {
  readonly session = randomUUID();
  readonly iopubLog: Msg[] = [];
  /** Every message received, on any channel, so a reply that came early is still found. */
  private readonly received: { channel: string; msg: Msg }[] = [];
  stderr = "";
  /** Messages from the kernel that failed to decode or verify. */
  readonly protocolErrors: string[] = [];
  private readonly sockets: Record<Channel, Dealer>;
  private readonly iopub = new Subscriber();
  private readonly waiters = new Set<{ test(m: Msg, channel: string): boolean; resolve(m: Msg): void }>();
  private readonly exited: Promise<number | null>;
  private closed = false;
  /** The kernel's own process (proc's, unless started viaLauncher). */
  kernelPid = 0;
  /** How many kernel_info requests the readiness check sent. */
  readyRequests = 0;

  private constructor(
    readonly proc: ChildProcess,
    readonly connection: Record<string, any>,
    readonly connectionFile: string,
    private readonly dir: string,
  ) {
    const identity = this.session;
    this.sockets = {
      shell: new Dealer({ routingId: identity, linger: 0 }),
      control: new Dealer({ routingId: `${identity}-control`, linger: 0 }),
      stdin: new Dealer({ routingId: identity, linger: 0 }),
    };
    proc.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString();
      if (process.env.IBCC_TEST_VERBOSE) process.stderr.write(d);
    });
    this.exited = new Promise((r) =>
      proc.once("exit", (code, sig) => {
        if (sig) this.stderr += `\n[kernel ended by ${sig}]\n`;
        r(code);
      }),
    );
  }

  static async start(o: StartOptions = {}): Promise<KernelClient> {
    const dir = mkdtempSync(join(tmpdir(), "ibcc-client-"));
    const transport = o.transport ?? "tcp";
    const ports = transport === "tcp" ? await freePorts(5) : [1, 2, 3, 4, 5];
    const connection = {
      transport,
      ip: transport === "tcp" ? "127.0.0.1" : join(dir, "kernel"),
      shell_port: ports[0],
      iopub_port: ports[1],
      stdin_port: ports[2],
      control_port: ports[3],
      hb_port: ports[4],
      key: o.key ?? randomUUID(),
      signature_scheme: "hmac-sha256",
      kernel_name: "ibcc",
    };
    const file = join(dir, "kernel.json");
    writeFileSync(file, JSON.stringify(connection));
    const env = { ...process.env, IBCC_DATA_DIR: join(dir, "data"), ...o.env };
    const argv = [CLI, "kernel", file];
    const proc = o.viaLauncher
      ? spawn("sh", ["-c", 'JPY_PARENT_PID=$$ "$0" "$@" & echo $!; wait', process.execPath, ...argv], { env, stdio: ["ignore", "pipe", "pipe"] })
      : spawn(process.execPath, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
    const client = new KernelClient(proc, connection, file, dir);
    if (o.viaLauncher) {
      const [line] = (await once(proc.stdout!, "data")) as [Buffer];
      client.kernelPid = Number(line.toString().trim());
    } else client.kernelPid = proc.pid!;
    client.connect(!o.iopubLate);
    await client.waitReady(o.readyTimeoutMs ?? 30_000);
    return client;
  }

  endpoint(port: string): string {
    const c = this.connection;
    return c.transport === "tcp" ? `tcp://${c.ip}:${c[port]}` : `ipc://${c.ip}-${c[port]}`;
  }

  private connect(iopub: boolean): void {
    this.sockets.shell.connect(this.endpoint("shell_port"));
    this.sockets.control.connect(this.endpoint("control_port"));
    this.sockets.stdin.connect(this.endpoint("stdin_port"));
    if (iopub) this.connectIopub();
    for (const channel of ["shell", "control", "stdin"] as const) void this.read(channel, this.sockets[channel]);
  }

  private iopubConnected = false;
  private connectIopub(): void {
    if (this.iopubConnected) return;
    this.iopubConnected = true;
    this.iopub.connect(this.endpoint("iopub_port"));
    this.iopub.subscribe();
    void this.read("iopub", this.iopub);
  }

  private async read(channel: string, socket: Dealer | Subscriber): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: Msg;
        try {
          msg = this.decode(frames);
        } catch (err) {
          this.protocolErrors.push(`${channel}: ${(err as Error).message}`);
          continue;
        }
        if (channel === "iopub") this.iopubLog.push(msg);
        this.received.push({ channel, msg });
        for (const w of [...this.waiters]) {
          if (w.test(msg, channel)) {
            this.waiters.delete(w);
            w.resolve(msg);
          }
        }
      }
    } catch {
      // socket closed
    }
  }

  /** jupyter_client's readiness check: kernel_info until a reply and an iopub message arrive. */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`kernel exited with ${this.proc.exitCode}:\n${this.stderr}`);
      const sent = this.send("shell", "kernel_info_request", {});
      this.readyRequests++;
      try {
        await this.waitFor((m, ch) => ch === "shell" && m.parent_header.msg_id === sent, 1000);
        this.connectIopub();
        await this.waitFor((m, ch) => ch === "iopub" && m.parent_header.msg_id === sent, 500);
        return;
      } catch {
        // not up yet, or iopub not subscribed yet: ask again
      }
    }
    throw new Error(`kernel not ready after ${timeoutMs} ms:\n${this.stderr}`);
  }

  sign(parts: Buffer[]): string {
    return clientSignature(this.connection.key as string, parts);
  }

  /** Sends a request and returns its msg_id. `signature` overrides the computed one. */
  send(channel: Channel, msgType: string, content: Record<string, unknown>, o: { signature?: string } = {}): string {
    const { header, parts } = requestParts(this.session, msgType, content);
    const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(o.signature ?? this.sign(parts)), ...parts];
    this.lastSent = frames;
    void this.sockets[channel].send(frames);
    return header.msg_id;
  }

  /** The frames of the last request sent, to replay them byte for byte. */
  lastSent: Buffer[] = [];

  /** Sends frames exactly as given (a replay, a malformed message). */
  sendFrames(channel: Channel, frames: Buffer[]): void {
    void this.sockets[channel].send(frames);
  }

  /** Answers an input_request on stdin. */
  inputReply(value: string): void {
    this.send("stdin", "input_reply", { value });
  }

  waitFor(test: (m: Msg, channel: string) => boolean, timeoutMs = 30_000): Promise<Msg> {
    for (const r of this.received) if (test(r.msg, r.channel)) return Promise.resolve(r.msg);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Sends a request, waits for its reply and for the idle status that closes it. */
  async request(channel: "shell" | "control", msgType: string, content: Record<string, unknown>, timeoutMs = 30_000): Promise<Exchange> {
    const id = this.send(channel, msgType, content);
    return this.collect(channel, id, timeoutMs);
  }

  async collect(channel: string, id: string, timeoutMs = 30_000): Promise<Exchange> {
    const reply = await this.waitFor((m, ch) => ch === channel && m.parent_header.msg_id === id, timeoutMs);
    await this.waitFor(
      (m, ch) => ch === "iopub" && m.parent_header.msg_id === id && m.header.msg_type === "status" && m.content.execution_state === "idle",
      timeoutMs,
    );
    return { reply, iopub: this.iopubLog.filter((m) => m.parent_header.msg_id === id) };
  }

  async execute(code: string, content: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Execution> {
    const x = await this.request("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...content }, timeoutMs);
    return { ...x, outputs: x.iopub.filter((m) => !["status", "execute_input"].includes(m.header.msg_type)) };
  }

  /** Stdout text of an execution. */
  static stdout(x: Execution): string {
    return x.outputs.filter((m) => m.header.msg_type === "stream" && m.content.name === "stdout").map((m) => m.content.text).join("");
  }

  interrupt(): Promise<Exchange> {
    return this.request("control", "interrupt_request", {});
  }

  /** One heartbeat round trip; resolves with its time in ms, rejects on timeout. */
  async heartbeat(timeoutMs = 2000): Promise<number> {
    const req = new Request({ linger: 0, receiveTimeout: timeoutMs });
    req.connect(this.endpoint("hb_port"));
    try {
      const t0 = performance.now();
      await req.send("ping");
      const [pong] = await req.receive();
      if (pong.toString() !== "ping") throw new Error(`heartbeat echoed ${pong}`);
      return performance.now() - t0;
    } finally {
      req.close();
    }
  }

  /** shutdown_request on control; resolves with the reply and the exit code. */
  async shutdown(restart = false, timeoutMs = 10_000): Promise<{ reply: Msg; code: number | null }> {
    const id = this.send("control", "shutdown_request", { restart });
    const reply = await this.waitFor((m, ch) => ch === "control" && m.parent_header.msg_id === id, timeoutMs);
    const code = await this.waitExit(timeoutMs);
    await this.close();
    return { reply, code };
  }

  async waitExit(timeoutMs = 10_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("kernel did not exit")), timeoutMs)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the kernel (if still running) and frees every socket and file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGKILL");
      await this.exited;
    }
    if (this.kernelPid !== this.proc.pid) {
      try {
        process.kill(this.kernelPid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const s of Object.values(this.sockets)) s.close();
    this.iopub.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  kill(): Promise<void> {
    return this.close();
  }

  private decode(frames: Buffer[]): Msg {
    const at = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
    const [sig, ...rest] = frames.slice(at + 1);
    const signed = rest.slice(0, 4);
    const expected = this.sign(signed);
    if (expected !== sig.toString()) throw new Error(`bad signature from kernel on ${JSON.parse(signed[0].toString()).msg_type}`);
    const [header, parent_header, metadata, content] = signed.map((b) => JSON.parse(b.toString()));
    return { header, parent_header, metadata, content, buffers: rest.slice(4) };
  }
}

/** Ports free right now on 127.0.0.1, distinct from each other. */
/** A request's header and its four JSON parts (header, parent, metadata, content), as a client makes them. */
export function requestParts(session: string, msgType: string, content: Record<string, unknown>): { header: Header; parts: Buffer[] } {
  const header: Header = {
    msg_id: randomUUID(),
    session,
    username: "test",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: "5.3",
  };
  return { header, parts: [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p))) };
}

/** The HMAC-SHA256 a client puts on `parts` (empty for an empty key), computed here, not by the kernel's signer. */
export function clientSignature(key: string, parts: Buffer[]): string {
  if (!key) return "";
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<import("node:net").Server>((r) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => r(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
