/**
 * A bare Jupyter client on an existing kernel's connection: it connects,
 * sends signed requests, collects what comes back, and disconnects without
 * touching the kernel process, as a browser tab that closes would.
 */
import { createHmac, randomUUID } from "node:crypto";
import { Dealer, Request, Subscriber } from "zeromq";

export interface RawMsg {
  channel: string;
  header: Record<string, any>;
  parent_header: Record<string, any>;
  content: Record<string, any>;
}

export class RawClient {
  readonly session = randomUUID();
  readonly received: RawMsg[] = [];
  private readonly shell = new Dealer({ linger: 0 });
  private readonly control = new Dealer({ linger: 0 });
  private readonly iopub = new Subscriber({ linger: 0 });

  constructor(private readonly connection: Record<string, any>) {
    const at = (port: string): string => `tcp://${connection.ip}:${connection[port]}`;
    this.shell.connect(at("shell_port"));
    this.control.connect(at("control_port"));
    this.iopub.connect(at("iopub_port"));
    this.iopub.subscribe();
    void this.read("shell", this.shell);
    void this.read("control", this.control);
    void this.read("iopub", this.iopub);
  }

  private async read(channel: string, socket: Dealer | Subscriber): Promise<void> {
    try {
      for await (const frames of socket) {
        const at = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
        const [header, parent_header, , content] = frames.slice(at + 2, at + 6).map((f) => JSON.parse(f.toString()));
        this.received.push({ channel, header, parent_header, content });
      }
    } catch {
      // closed
    }
  }

  send(channel: "shell" | "control", msgType: string, content: Record<string, unknown>): string {
    const header = { msg_id: randomUUID(), session: this.session, username: "raw", date: new Date().toISOString(), msg_type: msgType, version: "5.3" };
    const parts = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
    const h = createHmac("sha256", this.connection.key as string);
    for (const p of parts) h.update(p);
    void (channel === "shell" ? this.shell : this.control).send(["<IDS|MSG>", h.digest("hex"), ...parts]);
    return header.msg_id;
  }

  execute(code: string): string {
    return this.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  }

  async waitFor(test: (m: RawMsg) => boolean, timeoutMs = 30_000): Promise<RawMsg> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const m = this.received.find(test);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no matching message within ${timeoutMs} ms`);
  }

  reply(id: string, timeoutMs = 30_000): Promise<RawMsg> {
    return this.waitFor((m) => m.channel !== "iopub" && m.parent_header.msg_id === id, timeoutMs);
  }

  async heartbeat(timeoutMs = 5000): Promise<number> {
    const req = new Request({ linger: 0, receiveTimeout: timeoutMs });
    req.connect(`tcp://${this.connection.ip}:${this.connection.hb_port}`);
    try {
      const t0 = performance.now();
      await req.send("ping");
      await req.receive();
      return performance.now() - t0;
    } finally {
      req.close();
    }
  }

  close(): void {
    this.shell.close();
    this.control.close();
    this.iopub.close();
  }
}
