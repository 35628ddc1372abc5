/**
 * Required fields and their types for every message the kernel sends, from the
 * Jupyter messaging specification (5.3+). `check` returns the violations.
 */
import type { Msg } from "../support/kernel-client.js";

type Kind = "string" | "number" | "boolean" | "object" | "array" | "string[]" | "any";

const HEADER: Record<string, Kind> = {
  msg_id: "string",
  session: "string",
  username: "string",
  date: "string",
  msg_type: "string",
  version: "string",
};

const CONTENT: Record<string, Record<string, Kind>> = {
  status: { execution_state: "string" },
  execute_input: { code: "string", execution_count: "number" },
  stream: { name: "string", text: "string" },
  display_data: { data: "object", metadata: "object" },
  update_display_data: { data: "object", metadata: "object", transient: "object" },
  clear_output: { wait: "boolean" },
  execute_result: { execution_count: "number", data: "object", metadata: "object" },
  error: { ename: "string", evalue: "string", traceback: "string[]" },
  comm_close: { comm_id: "string", data: "object" },
  kernel_info_reply: {
    status: "string",
    protocol_version: "string",
    implementation: "string",
    implementation_version: "string",
    language_info: "object",
    banner: "string",
    help_links: "array",
  },
  execute_reply: { status: "string", execution_count: "number" },
  complete_reply: { status: "string", matches: "string[]", cursor_start: "number", cursor_end: "number", metadata: "object" },
  inspect_reply: { status: "string", found: "boolean", data: "object", metadata: "object" },
  is_complete_reply: { status: "string" },
  history_reply: { status: "string", history: "array" },
  comm_info_reply: { status: "string", comms: "object" },
  shutdown_reply: { status: "string", restart: "boolean" },
  interrupt_reply: { status: "string" },
  input_request: { prompt: "string", password: "boolean" },
};

function kindOf(value: unknown): Kind {
  if (Array.isArray(value)) return value.every((v) => typeof v === "string") ? "string[]" : "array";
  if (value === null) return "any";
  return typeof value as Kind;
}

function matches(value: unknown, kind: Kind): boolean {
  if (kind === "any") return value !== undefined;
  const actual = kindOf(value);
  return actual === kind || (kind === "array" && actual === "string[]");
}

export function check(msg: Msg): string[] {
  const problems: string[] = [];
  const type = msg.header?.msg_type ?? "?";
  for (const [field, kind] of Object.entries(HEADER)) {
    if (!matches((msg.header as any)?.[field], kind)) problems.push(`${type}: header.${field} is not ${kind}`);
  }
  if (msg.header.version !== "5.3") problems.push(`${type}: header.version ${msg.header.version}`);
  if (Number.isNaN(Date.parse(msg.header.date))) problems.push(`${type}: header.date ${msg.header.date} is not ISO 8601`);
  const spec = CONTENT[type];
  if (!spec) return [...problems, `${type}: not a message type the kernel should send`];
  for (const [field, kind] of Object.entries(spec)) {
    if (!matches(msg.content[field], kind)) problems.push(`${type}: content.${field} is ${JSON.stringify(msg.content[field])}, not ${kind}`);
  }
  if ("transient" in msg.content && (msg.content.transient === null || typeof msg.content.transient !== "object")) {
    problems.push(`${type}: transient must be an object`);
  }
  if (type === "execute_reply" && msg.content.status === "error") {
    for (const f of ["ename", "evalue"]) if (typeof msg.content[f] !== "string") problems.push(`execute_reply: ${f}`);
    if (!Array.isArray(msg.content.traceback)) problems.push("execute_reply: traceback");
  }
  if (type === "execute_reply" && msg.content.status === "ok") {
    if (typeof msg.content.user_expressions !== "object") problems.push("execute_reply: user_expressions");
  }
  if (type === "kernel_info_reply") {
    const li = msg.content.language_info ?? {};
    for (const f of ["name", "version", "mimetype", "file_extension", "pygments_lexer", "codemirror_mode"]) {
      if (typeof li[f] !== "string") problems.push(`kernel_info_reply: language_info.${f} is not a string`);
    }
  }
  return problems;
}

/** Checks every message and every iopub message of an exchange; returns all violations. */
export function checkAll(msgs: Msg[]): string[] {
  return msgs.flatMap(check);
}
