/**
 * Hostile messages for the fuzz suite: random and mutated frames from a seeded
 * generator, so a failure is reproducible from its seed. Each message says
 * whether it carries a valid signature; the code any execute_request among the
 * forged ones would run creates the canary file, so a forged message that ran
 * leaves proof behind.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface Fuzzed {
  kind: string;
  frames: Buffer[];
}

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Signed messages use only types whose handlers run no user code and cannot
// stop the kernel (no shutdown_request); execute_request is signed only with
// code that is not a string, which the kernel must run as an empty cell.
const SAFE_TYPES = ["kernel_info_request", "complete_request", "inspect_request", "is_complete_request", "history_request", "comm_info_request", "comm_open", "comm_msg", "comm_close", "interrupt_request", "input_reply", "no_such_request", "", "__proto__", "constructor", "toString"];
const WEIRD_VALUES: unknown[] = [null, 0, -1, 1e308, "", "x".repeat(1000), [], {}, [1, 2], { a: { b: { c: [] } } }, true, "\u0000\uffff", NaN];

export class Fuzzer {
  readonly next: () => number;
  constructor(
    private readonly key: string,
    private readonly canaryCode: string,
    seed: number,
  ) {
    this.next = rng(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }

  private int(n: number): number {
    return Math.floor(this.next() * n);
  }

  private bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  sign(parts: Buffer[]): string {
    const h = createHmac("sha256", this.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  header(msgType: string): Record<string, unknown> {
    return { msg_id: randomUUID(), session: "fuzz", username: "fuzz", date: new Date().toISOString(), msg_type: msgType, version: "5.3" };
  }

  /** A well-formed execute_request of the canary code: `signature` decides whether it is genuine. */
  canary(signature: "valid" | "wrong" | "empty" | "other-key" | "truncated"): Buffer[] {
    const parts = [this.header("execute_request"), {}, {}, { code: this.canaryCode, silent: false, store_history: true, user_expressions: {}, allow_stdin: false }].map((p) =>
      Buffer.from(JSON.stringify(p)),
    );
    const valid = this.sign(parts);
    const sig = {
      valid,
      wrong: valid.replace(/^./, (c) => (c === "0" ? "1" : "0")),
      empty: "",
      "other-key": createHmac("sha256", "not-the-key").update(Buffer.concat(parts)).digest("hex"),
      truncated: valid.slice(0, 32),
    }[signature];
    return [Buffer.from("<IDS|MSG>"), Buffer.from(sig), ...parts];
  }

  /** One hostile message; `huge` makes a frame of a few MB. */
  message(huge = false): Fuzzed {
    const d = Buffer.from("<IDS|MSG>");
    if (huge) {
      const big = Buffer.alloc(3 * 1024 * 1024 + this.int(1024 * 1024), 0x61);
      const frames = this.canary("valid");
      frames[5] = Buffer.from(JSON.stringify({ code: this.canaryCode, pad: big.toString() }));
      return { kind: "huge frame, stale signature", frames };
    }
    switch (this.int(12)) {
      case 0:
        return { kind: "random frames", frames: Array.from({ length: this.int(9) }, () => this.bytes(this.int(200))) };
      case 1: {
        const f = this.canary(this.pick(["wrong", "empty", "other-key", "truncated"] as const));
        return { kind: "forged canary", frames: f };
      }
      case 2: {
        const f = this.canary("valid");
        f.splice(0, 1);
        return { kind: "missing delimiter", frames: f };
      }
      case 3: {
        const f = this.canary("valid");
        const n = this.int(f.length);
        if (this.next() < 0.5) return { kind: "too few frames", frames: f.slice(0, n) };
        // Extra frames are buffers, legal when signed: these carry a forged signature.
        const g = this.canary("wrong");
        return { kind: "extra frames, forged", frames: [...g, ...Array.from({ length: 1 + this.int(3) }, () => this.bytes(10))] };
      }
      case 4: {
        // Bad JSON, correctly signed: the signature covers raw bytes.
        const parts = [this.header(this.pick(SAFE_TYPES)), {}, {}, {}].map((p) => Buffer.from(JSON.stringify(p)));
        const i = this.int(4);
        parts[i] = Buffer.from(this.pick(["{", "}", "nul", "[1,", '{"a":', "\u0000", "", "{}}", this.bytes(30).toString("latin1")]));
        return { kind: "signed bad JSON", frames: [d, Buffer.from(this.sign(parts)), ...parts] };
      }
      case 5: {
        // Header fields missing or of the wrong type, correctly signed.
        const h: Record<string, unknown> = this.header(this.pick(SAFE_TYPES));
        for (const field of Object.keys(h)) {
          const r = this.next();
          if (r < 0.25) delete h[field];
          else if (r < 0.5) h[field] = this.pick(WEIRD_VALUES);
        }
        const header = this.next() < 0.1 ? this.pick(WEIRD_VALUES) : h;
        const parts = [header, this.pick(WEIRD_VALUES), this.pick(WEIRD_VALUES), this.pick(WEIRD_VALUES)].map((p) => Buffer.from(JSON.stringify(p) ?? "null"));
        return { kind: "signed bad header", frames: [d, Buffer.from(this.sign(parts)), ...parts] };
      }
      case 6: {
        // A safe type with content of the wrong shape, correctly signed.
        const t = this.pick(SAFE_TYPES);
        const content: Record<string, unknown> = {};
        for (const k of ["code", "cursor_pos", "detail_level", "hist_access_type", "n", "pattern", "comm_id", "target_name", "data", "value", "output", "raw", "session", "start", "stop", "unique"]) {
          if (this.next() < 0.4) content[k] = this.pick(WEIRD_VALUES);
        }
        const parts = [this.header(t), {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
        return { kind: "signed odd content", frames: [d, Buffer.from(this.sign(parts)), ...parts] };
      }
      case 7: {
        // execute_request whose code is not a string, correctly signed; each
        // runs as a cell, so they are kept few for the run to stay short.
        if (this.next() < 0.8) return this.message();
        const parts = [this.header("execute_request"), {}, {}, { code: this.pick(WEIRD_VALUES.filter((v) => typeof v !== "string")), silent: this.pick(WEIRD_VALUES), user_expressions: this.pick([null, 5, [], "x"]) }].map((p) =>
          Buffer.from(JSON.stringify(p)),
        );
        return { kind: "signed execute, code not a string", frames: [d, Buffer.from(this.sign(parts)), ...parts] };
      }
      case 8: {
        // A valid canary with one signed byte flipped after signing.
        const f = this.canary("valid");
        const i = 2 + this.int(4);
        const b = Buffer.from(f[i]);
        if (b.length > 0) b[this.int(b.length)] ^= 1 << this.int(8);
        f[i] = b;
        return { kind: "bit flip after signing", frames: f };
      }
      case 9: {
        const f = this.canary("wrong");
        return { kind: "forged canary with identities and buffers", frames: [this.bytes(5), this.bytes(0), ...f, this.bytes(100)] };
      }
      case 10: {
        const parts = [this.header(this.pick(SAFE_TYPES)), {}, {}, {}].map((p) => Buffer.from(JSON.stringify(p)));
        return { kind: "signed unknown or odd type", frames: [d, Buffer.from(this.sign(parts)), ...parts] };
      }
      default: {
        // The right HMAC spelled in upper case: signatures are compared as sent.
        const f = this.canary("valid");
        f[1] = Buffer.from(f[1].toString().toUpperCase());
        return { kind: "upper-case signature", frames: f };
      }
    }
  }
}
