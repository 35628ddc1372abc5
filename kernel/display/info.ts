/**
 * Small informational tables for the BPF side: a key/value list (a %%bpf
 * cell's summary, %features) and records (%bps, %maps). Everything shown,
 * nothing ranked; escaped HTML and aligned text.
 */
import type { DisplayData } from "../io.js";
import { formatCell, isPlainObject } from "./format.js";
import { htmlTable } from "./html.js";
import { ibccMetadata, type ViewSource } from "./metadata.js";
import { columnsOf, numericColumns, type Row } from "./rows.js";
import { textTable } from "./text-table.js";

export interface InfoOptions {
  title?: string;
  source?: ViewSource;
}

export interface RecordsOptions extends InfoOptions {
  /** Which columns to show, in order (default: all, in first-seen order). */
  columns?: string[];
  /** Text for a table with no rows (default "(none)"). */
  empty?: string;
}

/** A two-column "name : value" list, from an object or [name, value] pairs. */
export function keyValueList(
  entries: Record<string, unknown> | Iterable<readonly [string, unknown]>,
  options: InfoOptions = {},
): DisplayData {
  const pairs = isPlainObject(entries)
    ? Object.entries(entries)
    : [...(entries as Iterable<readonly [string, unknown]>)];
  const rows = pairs.map(([k, v]) => [formatCell(k), formatCell(v)]);
  const numeric = [false, false];
  return {
    data: {
      "text/html": htmlTable({ caption: options.title, columns: [], rows, numeric, headerColumn: true }),
      "text/plain": textTable({ title: options.title, columns: ["", ""], rows, numeric, noHeader: true, separator: " : " }),
    },
    metadata: ibccMetadata("key-value", options.source),
  };
}

/** Records as a table with one column per field, every row shown. */
export function records(rows: Iterable<Row>, options: RecordsOptions = {}): DisplayData {
  const all = [...rows];
  const columns = options.columns ?? columnsOf(all);
  const numeric = numericColumns(columns, all);
  const cells = all.map((r) => columns.map((c) => formatCell(r[c])));
  const footer = all.length === 0 ? options.empty ?? "(none)" : undefined;
  return {
    data: {
      "text/html": htmlTable({ caption: options.title, columns, rows: cells, numeric, footer }),
      "text/plain": textTable({ title: options.title, columns, rows: cells, numeric, footer }),
    },
    metadata: ibccMetadata("records", options.source, { columns: options.columns }),
  };
}
