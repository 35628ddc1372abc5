/**
 * Map contents as a table: the top N rows by a value column, then one line
 * for all the rest ("… 999,980 more rows (1,000,000 in all), their value
 * summing to X"), so even a million-entry
 * map yields a few kilobytes. Its bar chart is a separate output.
 */
import type { DisplayData } from "../io.js";
import { vegaLiteBundle, VEGALITE_SCHEMA } from "./chart-bundle.js";
import { formatCell, groupDigits, isNumeric } from "./format.js";
import { htmlTable } from "./html.js";
import { ibccMetadata, type ViewSource } from "./metadata.js";
import type { VegaLiteSpec } from "./render.js";
import { emptyChartSpec } from "./empty-chart.js";
import { safeTitle } from "./titles.js";
import { columnsOf, compareValues, numericColumns, toRow, type Row, type RowsInput } from "./rows.js";
import { textTable } from "./text-table.js";

export const DEFAULT_TOP = 20;

export interface TableOptions {
  /** How many rows to show (default 20). */
  top?: number;
  /** The column to rank by, largest first (default "value", else the last numeric column). */
  sortBy?: string;
  /** Smallest first instead. */
  ascending?: boolean;
  /** Which columns to show, in order (default: all, in first-seen order). */
  columns?: string[];
  title?: string;
  source?: ViewSource;
}

/** The top rows and a summary of the rest. */
export interface TopRows {
  columns: string[];
  sortBy: string | undefined;
  rows: Row[];
  /** Rows not shown. */
  restCount: number;
  /** Sum of sortBy over rows not shown (exact for integers). */
  restTotal: number | bigint;
  totalRows: number;
}

function pickSortColumn(columns: string[], sample: Row[], wanted?: string): string | undefined {
  if (wanted !== undefined) return wanted;
  if (columns.includes("value")) return "value";
  const numeric = numericColumns(columns, sample);
  for (let i = columns.length - 1; i >= 0; i--) if (numeric[i]) return columns[i];
  return undefined;
}

/** Sums a column exactly: integers as bigint, fractions as float. */
class ColumnSum {
  private ints = 0n;
  private floats = 0;
  private anyFloat = false;
  add(v: unknown): void {
    if (typeof v === "bigint") this.ints += v;
    else if (typeof v === "number" && Number.isSafeInteger(v)) this.ints += BigInt(v);
    else if (typeof v === "number" && Number.isFinite(v)) {
      this.floats += v;
      this.anyFloat = true;
    }
  }
  get value(): number | bigint {
    if (this.anyFloat) return Number(this.ints) + this.floats;
    return this.ints <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(this.ints) : this.ints;
  }
}

/**
 * Keeps the best N rows in one pass (a sorted window with binary insertion)
 * and only counts and sums the rest, so a million rows cost a million
 * comparisons and no second copy of the map.
 */
export function topRows(input: RowsInput, options: TableOptions = {}): TopRows {
  const top = Math.max(0, Math.floor(options.top ?? DEFAULT_TOP));
  const sign = options.ascending ? 1 : -1;
  const iterator = input[Symbol.iterator]();
  // The first rows decide the columns and the sort column; the rest stream by.
  const head: Row[] = [];
  while (head.length < 1000) {
    const r = iterator.next();
    if (r.done) break;
    head.push(toRow(r.value));
  }
  const columns = options.columns ?? columnsOf(head);
  const sortBy = pickSortColumn(columns, head, options.sortBy);
  const cmp = (a: Row, b: Row) => (sortBy === undefined ? 0 : sign * compareValues(a[sortBy], b[sortBy]));

  const kept: Row[] = [];
  const restSum = new ColumnSum();
  let restCount = 0;
  let totalRows = 0;
  const drop = (row: Row) => {
    restCount++;
    if (sortBy !== undefined) restSum.add(row[sortBy]);
  };
  const consider = (row: Row) => {
    totalRows++;
    if (kept.length === top && (top === 0 || sortBy === undefined || cmp(row, kept[top - 1]) >= 0)) return drop(row);
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(kept[mid], row) <= 0) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, row);
    if (kept.length > top) drop(kept.pop()!);
  };
  for (const row of head) consider(row);
  for (let r = iterator.next(); !r.done; r = iterator.next()) consider(toRow(r.value));
  return { columns, sortBy, rows: kept, restCount, restTotal: restSum.value, totalRows };
}

/**
 * "… 19 more rows (39 in all), their value summing to 45": the row counts and
 * the sum of the ranking column are told apart, so the sum never reads as a
 * count of rows.
 */
function footerOf(t: TopRows): string | undefined {
  if (t.restCount === 0) return undefined;
  const noun = t.restCount === 1 ? "row" : "rows";
  const their = t.restCount === 1 ? "its" : "their";
  const sum = t.sortBy === undefined ? "" : `, ${their} ${t.sortBy} ${t.restCount === 1 ? "being" : "summing to"} ${groupDigits(t.restTotal)}`;
  return `… ${groupDigits(t.restCount)} more ${noun} (${groupDigits(t.totalRows)} in all)${sum}`;
}

function cellsOf(t: TopRows) {
  return {
    columns: t.columns,
    rows: t.rows.map((r) => t.columns.map((c) => formatCell(r[c]))),
    numeric: numericColumns(t.columns, t.rows),
    footer: footerOf(t),
  };
}

function tableText(t: TopRows, options: TableOptions): string {
  return textTable({ title: options.title, ...cellsOf(t) });
}

/** A map's top rows as an HTML and text table. */
export function table(input: RowsInput, options: TableOptions = {}): DisplayData {
  const t = topRows(input, options);
  const cells = cellsOf(t);
  return {
    data: {
      "text/html": htmlTable({ caption: options.title, ...cells }),
      "text/plain": textTable({ title: options.title, ...cells }),
    },
    metadata: ibccMetadata("table", options.source, {
      top: options.top ?? DEFAULT_TOP,
      sortBy: t.sortBy,
      ascending: options.ascending,
      columns: options.columns,
      totalRows: t.totalRows,
    }),
  };
}

function chartSpecOf(t: TopRows, options: TableOptions): VegaLiteSpec {
  if (t.rows.length === 0) return emptyChartSpec(options.title, "no rows yet");
  const sortBy = t.sortBy ?? "value";
  const labelColumns = t.columns.filter((c) => c !== sortBy);
  const seen = new Map<string, number>();
  const values = t.rows.map((r, rank) => {
    let label = labelColumns.map((c) => formatCell(r[c])).join(" ") || String(rank + 1);
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    if (n) label = `${label} (${n + 1})`;
    const v = r[sortBy];
    return { rank, label, value: isNumeric(v) ? Number(v) : 0 };
  });
  return {
    $schema: VEGALITE_SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    mark: { type: "bar", tooltip: true },
    width: 480,
    height: { step: 18 },
    encoding: {
      y: { field: "label", type: "ordinal", sort: { field: "rank", op: "min" }, title: safeTitle(labelColumns.join(" ")) || null },
      x: { field: "value", type: "quantitative", title: safeTitle(sortBy) },
    },
  };
}

/** The bar chart of a table's top rows: one bar per row, labelled by its other columns. */
export function tableChartSpec(input: RowsInput, options: TableOptions = {}): VegaLiteSpec {
  return chartSpecOf(topRows(input, options), options);
}

/** tableChartSpec's display, a separate output from the table: chart, SVG, PNG, and the table as text. */
export function tableChart(input: RowsInput, options: TableOptions = {}): Promise<DisplayData> {
  const t = topRows(input, options);
  return vegaLiteBundle(chartSpecOf(t, options), {
    view: "table-chart",
    text: tableText(t, options),
    source: options.source,
    options: { top: options.top ?? DEFAULT_TOP, sortBy: t.sortBy, ascending: options.ascending, columns: options.columns },
  });
}
