/**
 * Whether a connection file without a signing key may be served. Anyone who
 * can reach an unsigned kernel's ports can run code as the kernel's user (root,
 * for BPF), so an empty key is refused unless the caller asks for it with
 * `ibcc kernel --allow-unsigned` or IBCC_ALLOW_UNSIGNED=1, and even then it is
 * announced on stderr.
 */
import type { ConnectionInfo } from "./connection.js";

export const ALLOW_UNSIGNED_ENV = "IBCC_ALLOW_UNSIGNED";

export class UnsignedRefused extends Error {}

export function allowUnsignedFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[ALLOW_UNSIGNED_ENV];
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/** Throws UnsignedRefused for an empty key unless allowed; warns when allowed. */
export function checkKey(info: ConnectionInfo, file: string, allowUnsigned: boolean, warn: (text: string) => void): void {
  if (info.key.length > 0) return;
  if (!allowUnsigned) {
    throw new UnsignedRefused(
      `${file} has an empty "key": messages would not be signed and anyone who reaches ${info.ip} could run code as this user. ` +
        `Refusing to start; pass --allow-unsigned (or set ${ALLOW_UNSIGNED_ENV}=1) to run unsigned anyway.`,
    );
  }
  warn(`ibcc: WARNING: ${file} has an empty "key"; running UNSIGNED: any process that reaches ${info.ip} can run code in this kernel\n`);
}
