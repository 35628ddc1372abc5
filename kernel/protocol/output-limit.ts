/**
 * Keeps one cell's output from swamping the front end. A cell that prints in
 * a tight loop or shows a 50 MB string would otherwise push everything to
 * iopub, and the browser, not the kernel, would fall over.
 *
 * Limits, per request (cell):
 * - BYTES_PER_VALUE: each value of a display's data (text/plain, text/html,
 *   image/png, ...) above 8 MiB is cut: text/plain keeps its first 8 MiB and
 *   says so, other types are dropped and text/plain says so. Charts and
 *   tables stay far below it.
 * - Stream text: a token bucket of BURST_BYTES (2 MiB), then RATE_BYTES_PER_S
 *   (512 KiB/s). Display data: its own bucket, 32 MiB then 8 MiB/s, so a live
 *   chart is never starved by a chatty loop. Output past a bucket is dropped,
 *   and a stderr notice (at most one per 10 s) says why.
 * Status, execute_input, errors, clear_output and comm messages pass as they are.
 */
import type { Content } from "./message.js";

export const BYTES_PER_VALUE = 8 * 1024 * 1024;
export const BURST_BYTES = 2 * 1024 * 1024;
export const RATE_BYTES_PER_S = 512 * 1024;
export const DISPLAY_BURST_BYTES = 32 * 1024 * 1024;
export const DISPLAY_RATE_BYTES_PER_S = 8 * 1024 * 1024;

const NOTICE_EVERY_MS = 10_000;

const LIMITED = new Set(["stream", "display_data", "update_display_data", "execute_result"]);

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
const LIMITS_TEXT =
  `limits per cell: printed text ${mib(BURST_BYTES)} then ${RATE_BYTES_PER_S / 1024} KiB/s; ` +
  `displays ${mib(DISPLAY_BURST_BYTES)} then ${mib(DISPLAY_RATE_BYTES_PER_S)}/s; ${mib(BYTES_PER_VALUE)} per displayed value`;

export interface Limited {
  /** What to send instead of the original content; undefined drops it. */
  content?: Content;
  /** A stderr notice to send before it. */
  notice?: string;
}

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly burst: number,
    private readonly rate: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }
  take(size: number): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (size > this.tokens) return false;
    this.tokens -= size;
    return true;
  }
}

export class OutputLimiter {
  private readonly stream: Bucket;
  private readonly displays: Bucket;
  private dropping = false;
  private lastNotice = -Infinity;
  /** Bytes dropped over the cell. */
  dropped = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.stream = new Bucket(BURST_BYTES, RATE_BYTES_PER_S, now);
    this.displays = new Bucket(DISPLAY_BURST_BYTES, DISPLAY_RATE_BYTES_PER_S, now);
  }

  apply(msgType: string, content: Content): Limited {
    if (!LIMITED.has(msgType)) return { content };
    const isStream = msgType === "stream";
    const cut = isStream ? content : capData(content);
    const size = sizeOf(msgType, cut);
    if ((isStream ? this.stream : this.displays).take(size)) {
      this.dropping = false;
      return { content: cut };
    }
    this.dropped += size;
    if (this.dropping) return {};
    this.dropping = true;
    // A spell starts each time a bucket runs dry again; say so at most every NOTICE_EVERY_MS.
    const t = this.now();
    if (t - this.lastNotice < NOTICE_EVERY_MS) return {};
    this.lastNotice = t;
    return {
      notice: `[ibcc: output is being dropped: this cell produced output faster than the front end should take it (${LIMITS_TEXT}); the cell keeps running]\n`,
    };
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
