/** shutdown_request and interrupt_request (control channel). */
import type { Handler } from "../state.js";

export const shutdown: Handler = (ctx, state) => {
  const restart = ctx.content.restart === true;
  ctx.reply({ status: "ok", restart });
  state.shutdown(restart);
};

/**
 * The control worker has already started the interrupt when it saw this request
 * (directly on the main thread, or by SIGINT when the main thread was stuck in a
 * synchronous loop); here only the reply remains.
 */
export const interrupt: Handler = (ctx) => {
  ctx.reply({ status: "ok" });
};
