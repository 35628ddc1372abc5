/** Signing, the wire format, cursor code points and connection endpoints, without sockets. */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { codePointLength, cursorFrom } from "../../kernel/protocol/code-points.js";
import { MessageFactory } from "../../kernel/protocol/message.js";
import { Signer } from "../../kernel/protocol/signer.js";
import { decode, encode, WireError } from "../../kernel/protocol/wire.js";
import { bindEndpoint, portOf, type ConnectionInfo } from "../../kernel/transport/connection.js";

const factory = new MessageFactory();

function sample(): Parameters<typeof encode>[0] {
  return factory.child(undefined, "execute_request", { code: "1 + 1" }, [Buffer.from("client-id")]);
}

describe("Signer", () => {
  it("computes the hmac-sha256 of the four frames, as jupyter_client does", () => {
    const parts = ["{}", "{}", "{}", '{"a":1}'].map((s) => Buffer.from(s));
    const h = createHmac("sha256", "secret");
    parts.forEach((p) => h.update(p));
    const signer = new Signer("secret");
    expect(signer.sign(parts)).toBe(h.digest("hex"));
    expect(signer.verify(signer.sign(parts), parts)).toBe(true);
  });

  it("rejects wrong, truncated and empty signatures", () => {
    const parts = [Buffer.from("{}")];
    const signer = new Signer("secret");
    const good = signer.sign(parts);
    expect(signer.verify(good.replace(/.$/, (c) => (c === "0" ? "1" : "0")), parts)).toBe(false);
    expect(signer.verify(good.slice(0, 10), parts)).toBe(false);
    expect(signer.verify("", parts)).toBe(false);
  });

  it("signs nothing and accepts everything with an empty key", () => {
    const signer = new Signer("");
    expect(signer.enabled).toBe(false);
    expect(signer.sign([Buffer.from("x")])).toBe("");
    expect(signer.verify("anything", [Buffer.from("x")])).toBe(true);
  });

  it("refuses an unknown scheme at once", () => {
    expect(() => new Signer("k", "rot13")).toThrow(/signature_scheme/);
    expect(() => new Signer("k", "hmac-nonsense")).toThrow();
  });
});

describe("wire format", () => {
  it("round-trips a message with identities and buffers", () => {
    const signer = new Signer("key");
    const msg = { ...sample(), buffers: [Buffer.from([1, 2, 3])] };
    const back = decode(encode(msg, signer), signer);
    expect(back.identities.map(String)).toEqual(["client-id"]);
    expect(back.header).toEqual(msg.header);
    expect(back.content).toEqual({ code: "1 + 1" });
    expect([...back.buffers[0]]).toEqual([1, 2, 3]);
  });

  it("builds 5.3 headers with an ISO 8601 date", () => {
    const h = factory.header("status");
    expect(h.version).toBe("5.3");
    expect(h.session).toBe(factory.session);
    expect(new Date(h.date).toISOString()).toBe(h.date);
  });

  it("throws on a tampered frame, a missing delimiter or too few frames", () => {
    const signer = new Signer("key");
    const frames = encode(sample(), signer);
    const tampered = [...frames];
    tampered[tampered.length - 1] = Buffer.from('{"code":"rm -rf /"}');
    expect(() => decode(tampered, signer)).toThrow(WireError);
    expect(() => decode(frames.filter((f) => String(f) !== "<IDS|MSG>"), signer)).toThrow(/delimiter/);
    expect(() => decode(frames.slice(0, 4), signer)).toThrow(/frames/);
    expect(() => decode(frames, new Signer("other key"))).toThrow(/signature/);
  });
});

describe("code points", () => {
  it("counts astral characters once", () => {
    expect(codePointLength("a🦓b")).toBe(3);
    expect("a🦓b".length).toBe(4);
    expect(cursorFrom(undefined, "a🦓b")).toBe(3);
    expect(cursorFrom(99, "a🦓b")).toBe(3);
    expect(cursorFrom(-1, "a🦓b")).toBe(0);
  });
});

describe("connection endpoints", () => {
  const base: ConnectionInfo = { transport: "tcp", ip: "127.0.0.1", shell_port: 5000, control_port: 0, stdin_port: 1, iopub_port: 2, hb_port: 3, key: "", signature_scheme: "hmac-sha256" };
  it("binds tcp on the given ip and port, or an ephemeral port for 0", () => {
    expect(bindEndpoint(base, 5000)).toBe("tcp://127.0.0.1:5000");
    expect(bindEndpoint(base, 0)).toBe("tcp://127.0.0.1:*");
    expect(portOf("tcp://127.0.0.1:41234")).toBe(41234);
  });
  it("names ipc endpoints <ip>-<port> and picks distinct free numbers for 0", () => {
    const ipc = { ...base, transport: "ipc" as const, ip: "/tmp/ibcc-test-none/kernel" };
    const taken = new Set<number>();
    expect(bindEndpoint(ipc, 7)).toBe("ipc:///tmp/ibcc-test-none/kernel-7");
    const a = bindEndpoint(ipc, 0, taken);
    const b = bindEndpoint(ipc, 0, taken);
    expect(a).not.toBe(b);
    expect(portOf(a)).toBeGreaterThan(0);
  });
});
