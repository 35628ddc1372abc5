/** The connection file jupyter_client writes, and the endpoints it names. */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
  [other: string]: unknown;
}

export type PortName = "shell_port" | "control_port" | "stdin_port" | "iopub_port" | "hb_port";
export const PORT_NAMES: readonly PortName[] = ["shell_port", "control_port", "stdin_port", "iopub_port", "hb_port"];

/** A connection file that cannot be used: said in one line, without a stack. */
export class ConnectionFileError extends Error {}

export function readConnectionFile(path: string): ConnectionInfo {
  let raw: Partial<ConnectionInfo>;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as Partial<ConnectionInfo>;
  } catch (err) {
    throw new ConnectionFileError(`cannot read connection file ${path}: ${(err as Error).message}`);
  }
  const transport = raw.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new ConnectionFileError(`${path}: unsupported transport "${transport}"`);
  const info = {
    ...raw,
    transport,
    ip: raw.ip ?? "127.0.0.1",
    key: raw.key ?? "",
    signature_scheme: raw.signature_scheme ?? "hmac-sha256",
  } as ConnectionInfo;
  for (const name of PORT_NAMES) {
    const port = Number(raw[name] ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConnectionFileError(`${path}: ${name} is not a port: ${raw[name]}`);
    info[name] = port;
  }
  return info;
}

/**
 * The endpoint to bind for one port. Port 0 asks the kernel to pick: tcp gets
 * an ephemeral port, ipc the first free `<ip>-<n>` path (jupyter's ipc naming).
 */
export function bindEndpoint(info: ConnectionInfo, port: number, taken: Set<number> = new Set()): string {
  if (info.transport === "tcp") return `tcp://${info.ip}:${port === 0 ? "*" : port}`;
  let n = port;
  if (n === 0) {
    n = 1;
    while (taken.has(n) || existsSync(`${info.ip}-${n}`)) n++;
    taken.add(n);
  }
  return `ipc://${info.ip}-${n}`;
}

/** The port a bound endpoint ended up on (its last number). */
export function portOf(endpoint: string): number {
  const m = /[:-](\d+)$/.exec(endpoint);
  if (!m) throw new Error(`no port in endpoint ${endpoint}`);
  return Number(m[1]);
}

/** When the file asked us to pick ports, write the picked ones back, as ipykernel does. */
export function writeBackPorts(path: string, info: ConnectionInfo, bound: Record<PortName, number>): void {
  if (PORT_NAMES.every((name) => info[name] === bound[name])) return;
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  // Written beside it and renamed over it, so that a client reading the file
  // meanwhile sees the old or the new one, never half of it; 0600 from the
  // start, since the key inside is a secret.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...raw, ...bound }, null, 1) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
