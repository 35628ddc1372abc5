/** Jupyter message shapes and the building of new messages (protocol 5.3). */
import { randomUUID } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export type Content = Record<string, unknown>;

export interface Message<C = Content> {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Builds messages for one kernel session. */
export class MessageFactory {
  readonly session = randomUUID();

  header(msgType: string): Header {
    return {
      msg_id: randomUUID(),
      session: this.session,
      username: "ibcc",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    };
  }

  /** A reply or output caused by `parent`, addressed back to its sender's identities. */
  child(parent: Message | undefined, msgType: string, content: Content, identities?: Buffer[]): Message {
    return {
      identities: identities ?? parent?.identities ?? [],
      header: this.header(msgType),
      parent_header: parent?.header ?? {},
      metadata: {},
      content,
      buffers: [],
    };
  }

  /** The iopub topic ipykernel uses, so subscribers filtering on it still match. */
  topic(msgType: string): Buffer {
    return Buffer.from(`kernel.${this.session}.${msgType}`);
  }
}

export function replyType(requestType: string): string {
  return requestType.replace(/_request$/, "_reply");
}
