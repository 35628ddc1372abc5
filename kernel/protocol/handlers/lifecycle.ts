/** shutdown_request and interrupt_request (control channel). */
import type { Handler } from "../state.js";

export const shutdown: Handler = (ctx, state) => {
  const restart = ctx.content.restart === true;
  ctx.reply({ status: "ok", restart });
  state.shutdown(restart);
};

/**
 * The control worker has already raised SIGINT in the process when it saw this
 * request (the main thread may be stuck in a synchronous loop); the SIGINT
 * handler interrupts the cell. Here only the reply remains.
 */
export const interrupt: Handler = (ctx) => {
  ctx.reply({ status: "ok" });
};
