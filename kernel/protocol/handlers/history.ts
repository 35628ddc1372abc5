/** history_request: tail, range and search over the persistent history store. */
import type { HistoryEntry } from "../../history/store.js";
import type { Handler } from "../state.js";

export const history: Handler = (ctx, state) => {
  const c = ctx.content;
  const num = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
  let entries: HistoryEntry[] = [];
  switch (c.hist_access_type) {
    case "tail":
      entries = state.history.tail(num(c.n, 10));
      break;
    case "range":
      entries = state.history.range(num(c.session, 0), num(c.start, 1), typeof c.stop === "number" ? c.stop : undefined);
      break;
    case "search":
      entries = state.history.search(typeof c.pattern === "string" ? c.pattern : "*", num(c.n, 0), c.unique === true);
      break;
  }
  const withOutput = c.output === true;
  ctx.reply({
    status: "ok",
    history: entries.map((e) => [e.session, e.line, withOutput ? [e.input, e.output ?? null] : e.input]),
  });
};
