/**
 * Keeps one cell's output from swamping the front end. A cell that prints in
 * a tight loop or shows a 50 MB string would otherwise push everything to
 * iopub, and the browser, not the kernel, would fall over.
 *
 * Limits, per request (cell):
 * - BYTES_PER_VALUE: each value of a display's data (text/plain, text/html,
 *   image/png, ...) above 1 MiB is cut: text/plain keeps its first 1 MiB and
 *   says so, other types are dropped and text/plain says so.
 * - A token bucket over stream text and display data: a burst of BURST_BYTES
 *   (2 MiB), then RATE_BYTES_PER_S (512 KiB/s). Output past it is dropped,
 *   and a stderr notice (at most one per 10 s) says why.
 * Status, execute_input, errors, clear_output and comm messages pass as they are.
 */
import type { Content } from "./message.js";

export const BYTES_PER_VALUE = 1024 * 1024;
export const BURST_BYTES = 2 * 1024 * 1024;
export const RATE_BYTES_PER_S = 512 * 1024;

const NOTICE_EVERY_MS = 10_000;

const LIMITED = new Set(["stream", "display_data", "update_display_data", "execute_result"]);

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
const LIMITS_TEXT = `limits: ${mib(BURST_BYTES)} burst, then ${RATE_BYTES_PER_S / 1024} KiB/s of output per cell; ${mib(BYTES_PER_VALUE)} per displayed value`;

export interface Limited {
  /** What to send instead of the original content; undefined drops it. */
  content?: Content;
  /** A stderr notice to send before it. */
  notice?: string;
}

export class OutputLimiter {
  private tokens = BURST_BYTES;
  private last: number;
  private dropping = false;
  private lastNotice = -Infinity;
  /** Bytes dropped over the cell. */
  dropped = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.last = now();
  }

  apply(msgType: string, content: Content): Limited {
    if (!LIMITED.has(msgType)) return { content };
    const cut = msgType === "stream" ? content : capData(content);
    const size = sizeOf(msgType, cut);
    this.refill();
    if (size <= this.tokens) {
      this.tokens -= size;
      this.dropping = false;
      return { content: cut };
    }
    this.dropped += size;
    if (this.dropping) return {};
    this.dropping = true;
    // A spell starts each time the bucket runs dry again; say so at most every NOTICE_EVERY_MS.
    const t = this.now();
    if (t - this.lastNotice < NOTICE_EVERY_MS) return {};
    this.lastNotice = t;
    return {
      notice: `[ibcc: output is being dropped: this cell produced output faster than the front end should take it (${LIMITS_TEXT}); the cell keeps running]\n`,
    };
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(BURST_BYTES, this.tokens + ((t - this.last) / 1000) * RATE_BYTES_PER_S);
    this.last = t;
  }
}

function sizeOf(msgType: string, content: Content): number {
  if (msgType === "stream") return String(content.text ?? "").length;
  const data = (content.data ?? {}) as Record<string, unknown>;
  let n = 0;
  for (const v of Object.values(data)) n += typeof v === "string" ? v.length : JSON.stringify(v ?? null).length;
  return n;
}

/** Cuts data values over BYTES_PER_VALUE, saying so in text/plain. */
function capData(content: Content): Content {
  const data = content.data as Record<string, unknown> | undefined;
  if (!data || typeof data !== "object") return content;
  const notes: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) {
    const length = typeof value === "string" ? value.length : JSON.stringify(value ?? null).length;
    if (length <= BYTES_PER_VALUE) out[mime] = value;
    else if (mime === "text/plain" && typeof value === "string") {
      out[mime] = value.slice(0, BYTES_PER_VALUE);
      notes.push(`text/plain cut to its first ${mib(BYTES_PER_VALUE)} of ${length.toLocaleString("en")} characters`);
    } else notes.push(`${mime} dropped (${length.toLocaleString("en")} characters)`);
  }
  if (notes.length === 0) return content;
  const notice = `\n[ibcc: output truncated: ${notes.join("; ")}; ${LIMITS_TEXT}]`;
  out["text/plain"] = String(out["text/plain"] ?? "") + notice;
  return { ...content, data: out };
}
