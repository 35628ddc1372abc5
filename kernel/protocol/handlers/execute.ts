/** execute_request: counts, execute_input, outputs, user_expressions and the reply. */
import type { ErrorReport, ExecuteOutcome } from "../../engine.js";
import { dropPendingSigint } from "../../engine/sigint.js";
import { createExecutionIO } from "../execution-io.js";
import type { Handler, KernelState } from "../state.js";

export const execute: Handler = async (ctx, state) => {
  const c = ctx.content;
  const code = typeof c.code === "string" ? c.code : "";
  const silent = c.silent === true;
  const storeHistory = !silent && c.store_history !== false;
  const stopOnError = c.stop_on_error !== false;

  if (storeHistory) state.executionCount++;
  const count = state.executionCount;
  // Interruptible from the moment the front end can know the cell started. A
  // SIGINT that came before this request (while idle) is not about this cell:
  // forget it now, or the signal poll could deliver it during the flush below.
  dropPendingSigint();
  const abort = new AbortController();
  state.currentAbort = abort;
  if (!silent) {
    ctx.publish("execute_input", { code, execution_count: count });
    state.lastCell = ctx;
  }
  if (storeHistory) state.history.add(count, code);
  await ctx.flush();

  const io = createExecutionIO({
    ctx,
    executionCount: count,
    silent,
    allowStdin: c.allow_stdin === true,
    signal: abort.signal,
    stdin: state.stdin,
  });
  let outcome: ExecuteOutcome;
  try {
    outcome = abort.signal.aborted
      ? { status: "error", ename: "Interrupted", evalue: "the cell was interrupted before it started", traceback: ["Interrupted: the cell was interrupted before it started"] }
      : await state.engine.execute(code, io);
  } catch (err) {
    outcome = { status: "error", ...reportOf(err) };
  } finally {
    if (state.currentAbort === abort) state.currentAbort = undefined;
    io.flush();
  }

  if (outcome.status === "error") {
    const report = { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
    if (!silent) ctx.publish("error", report);
    if (stopOnError) await state.abortQueued();
    ctx.reply({ status: "error", execution_count: count, ...report, user_expressions: {}, payload: [] });
    return;
  }
  const text = outcome.result?.data["text/plain"];
  if (storeHistory && typeof text === "string") state.history.setOutput(count, text);
  if (outcome.result && !silent) {
    ctx.publish("execute_result", {
      execution_count: count,
      data: outcome.result.data,
      metadata: outcome.result.metadata ?? {},
    });
  }
  const userExpressions = await evaluateAll(state, c.user_expressions);
  ctx.reply({ status: "ok", execution_count: count, user_expressions: userExpressions, payload: [] });
};

async function evaluateAll(state: KernelState, expressions: unknown): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (typeof expressions !== "object" || expressions === null) return out;
  for (const [name, expression] of Object.entries(expressions)) {
    let outcome: ExecuteOutcome;
    try {
      outcome = await state.engine.evaluate(String(expression));
    } catch (err) {
      outcome = { status: "error", ...reportOf(err) };
    }
    out[name] =
      outcome.status === "ok"
        ? { status: "ok", data: outcome.result?.data ?? { "text/plain": "undefined" }, metadata: outcome.result?.metadata ?? {} }
        : { status: "error", ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
  }
  return out;
}

/** The Engine promises never to reject; this is the guard for when one does. */
export function reportOf(err: unknown): ErrorReport {
  // Duck-typed: errors thrown in a vm context are not instances of this realm's Error.
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as Partial<Error>;
  const ename = typeof e.name === "string" ? e.name : "Error";
  const evalue = typeof e.message === "string" ? e.message : String(err);
  return { ename, evalue, traceback: (typeof e.stack === "string" ? e.stack : `${ename}: ${evalue}`).split("\n") };
}
