/**
 * HMAC signing of Jupyter messages. The signature covers the four JSON frames
 * (header, parent header, metadata, content) exactly as they travelled, so it
 * is computed over raw bytes, never over re-serialized JSON.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export class Signer {
  private readonly algorithm: string;

  constructor(
    private readonly key: string,
    scheme = "hmac-sha256",
  ) {
    if (!scheme.startsWith("hmac-")) throw new Error(`unsupported signature_scheme "${scheme}"`);
    this.algorithm = scheme.slice("hmac-".length);
    // Fails early on an algorithm OpenSSL does not know, not on the first message.
    createHmac(this.algorithm, "probe");
  }

  /** An empty key means the connection is unsigned. */
  get enabled(): boolean {
    return this.key.length > 0;
  }

  sign(parts: readonly Uint8Array[]): string {
    if (!this.enabled) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  }

  /** Constant-time comparison, so a forger learns nothing from response timing. */
  verify(signature: string, parts: readonly Uint8Array[]): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(parts), "utf8");
    const given = Buffer.from(signature, "utf8");
    if (given.length !== expected.length) return false;
    return timingSafeEqual(given, expected);
  }
}
