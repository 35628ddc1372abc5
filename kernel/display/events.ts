/**
 * A perf or ring buffer stream as a rolling table: the latest K events under
 * a line counting every event seen and every one the kernel dropped. The BPF
 * side keeps the counts and a window of recent events, and calls this again
 * for each update_display_data.
 */
import type { DisplayData } from "../io.js";
import { escapeHtml, htmlTable } from "./html.js";
import { formatCell, groupDigits } from "./format.js";
import { ibccMetadata, type ViewSource } from "./metadata.js";
import { toBigInt } from "./bcc-text.js";
import { columnsOf, numericColumns, type Row } from "./rows.js";
import { textTable } from "./text-table.js";

export const DEFAULT_EVENT_ROWS = 20;

export interface EventStream {
  /** Recent events, oldest first; only the last `limit` are shown. */
  events: Row[];
  /** All events received so far (defaults to events.length). */
  total?: number | bigint;
  /** Events the kernel dropped (perf "lost" callbacks, ring buffer drops). */
  lost?: number | bigint;
  /**
   * Set for ring buffers: the kernel counts no ring buffer drops, so `lost`
   * covers only what the reader itself dropped. The header says so.
   */
  dropsUncounted?: boolean;
  /** A ring buffer's highest fill seen at a read, 0..1: near 1, submits may have failed. */
  peakFill?: number;
}

export interface EventTableOptions {
  /** How many of the latest events to show (default 20). */
  limit?: number;
  columns?: string[];
  /** Names the stream in the header line ("events" by default). */
  title?: string;
  source?: ViewSource;
}

/** "1,234 events, 5 lost, showing the latest 20" */
export function eventHeader(stream: EventStream, shown: number, title = "events"): string {
  const total = stream.total ?? stream.events.length;
  const lost = stream.lost ?? 0;
  let lostText = `${groupDigits(lost)} lost`;
  if (stream.dropsUncounted) {
    const fill = stream.peakFill === undefined ? "" : `; peak fill ${Math.round(stream.peakFill * 100)}%`;
    lostText += ` (ring buffer drops are not counted by the kernel${fill})`;
  }
  const parts = [`${title}: ${groupDigits(total)} received`, lostText];
  if (toBigInt(total) > BigInt(shown)) parts.push(`showing the latest ${groupDigits(shown)}`);
  return parts.join(", ");
}

export function eventTable(stream: EventStream, options: EventTableOptions = {}): DisplayData {
  const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_EVENT_ROWS));
  const shown = limit === 0 ? [] : stream.events.slice(-limit);
  const columns = options.columns ?? columnsOf(shown);
  const numeric = numericColumns(columns, shown);
  const cells = shown.map((r) => columns.map((c) => formatCell(r[c])));
  const header = eventHeader(stream, shown.length, options.title);
  // A ring that came close to full may have refused submits nobody counted.
  const lost = toBigInt(stream.lost ?? 0) > 0n || (stream.dropsUncounted === true && (stream.peakFill ?? 0) >= 0.9);
  const headerHtml = `<div class="ibcc-events-header"${lost ? ' style="color:#b00"' : ""}>${escapeHtml(header)}</div>`;
  return {
    data: {
      "text/html": headerHtml + htmlTable({ columns, rows: cells, numeric }),
      "text/plain": textTable({ title: header, columns, rows: cells, numeric }),
    },
    metadata: ibccMetadata("events", options.source, {
      limit,
      columns: options.columns,
      total: String(stream.total ?? stream.events.length),
      lost: String(stream.lost ?? 0),
      ...(stream.dropsUncounted ? { dropsUncounted: true, peakFill: stream.peakFill } : {}),
    }),
  };
}
