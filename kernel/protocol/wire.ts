/**
 * The Jupyter wire format: routing identities, the "<IDS|MSG>" delimiter, the
 * signature, four JSON frames and any binary buffers.
 * https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
 */
import type { Signer } from "./signer.js";
import type { Header, Message } from "./message.js";

const DELIMITER = Buffer.from("<IDS|MSG>");

export class WireError extends Error {}

/** Decodes frames into a message; throws WireError on a bad frame layout or signature. */
export function decode(frames: readonly Uint8Array[], signer: Signer): Message {
  const at = frames.findIndex((f) => DELIMITER.equals(f));
  if (at < 0) throw new WireError("no <IDS|MSG> delimiter");
  if (frames.length < at + 6) throw new WireError(`only ${frames.length - at - 1} frames after the delimiter`);
  const signature = Buffer.from(frames[at + 1]).toString("utf8");
  const signed = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, signed)) throw new WireError("invalid signature");
  const [header, parent, metadata, content] = signed.map((f) => parseJson(f));
  if (!isObject(header) || typeof header.msg_type !== "string") throw new WireError("header without msg_type");
  return {
    identities: frames.slice(0, at).map((f) => Buffer.from(f)),
    header: header as unknown as Header,
    parent_header: (isObject(parent) ? parent : {}) as Message["parent_header"],
    metadata: isObject(metadata) ? metadata : {},
    content: isObject(content) ? content : {},
    buffers: frames.slice(at + 6).map((f) => Buffer.from(f)),
  };
}

/** Encodes and signs a message; `prefix` is the routing identities or the iopub topic. */
export function encode(message: Message, signer: Signer): Buffer[] {
  const signed = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [
    ...message.identities,
    DELIMITER,
    Buffer.from(signer.sign(signed), "utf8"),
    ...signed,
    ...message.buffers,
  ];
}

function parseJson(frame: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(frame).toString("utf8"));
  } catch (err) {
    throw new WireError(`frame is not JSON: ${(err as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
