/** complete_request, inspect_request and is_complete_request: straight to the engine. */
import { cursorFrom } from "../code-points.js";
import type { Handler } from "../state.js";

function codeOf(content: Record<string, unknown>): string {
  return typeof content.code === "string" ? content.code : "";
}

export const complete: Handler = async (ctx, state) => {
  const code = codeOf(ctx.content);
  const cursor = cursorFrom(ctx.content.cursor_pos, code);
  try {
    const r = await state.engine.complete(code, cursor);
    ctx.reply({ status: "ok", matches: r.matches, cursor_start: r.cursorStart, cursor_end: r.cursorEnd, metadata: r.metadata });
  } catch (err) {
    ctx.reply({ status: "ok", matches: [], cursor_start: cursor, cursor_end: cursor, metadata: {} });
    throw err;
  }
};

export const inspect: Handler = async (ctx, state) => {
  const code = codeOf(ctx.content);
  const cursor = cursorFrom(ctx.content.cursor_pos, code);
  const level = ctx.content.detail_level === 1 ? 1 : 0;
  try {
    const r = await state.engine.inspect(code, cursor, level);
    ctx.reply({ status: "ok", found: r.found, data: r.found ? r.data : {}, metadata: {} });
  } catch (err) {
    ctx.reply({ status: "ok", found: false, data: {}, metadata: {} });
    throw err;
  }
};

export const isComplete: Handler = (ctx, state) => {
  try {
    const r = state.engine.isComplete(codeOf(ctx.content));
    ctx.reply(r.status === "incomplete" ? { status: r.status, indent: r.indent ?? "" } : { status: r.status });
  } catch (err) {
    ctx.reply({ status: "unknown" });
    throw err;
  }
};
