/** Message type to handler: one table instead of an if/else chain. */
import * as comm from "./handlers/comm.js";
import { execute } from "./handlers/execute.js";
import { history } from "./handlers/history.js";
import { complete, inspect, isComplete } from "./handlers/introspection.js";
import { kernelInfo } from "./handlers/kernel-info.js";
import { interrupt, shutdown } from "./handlers/lifecycle.js";
import type { Handler } from "./state.js";

export const shellHandlers: Readonly<Record<string, Handler>> = {
  kernel_info_request: kernelInfo,
  execute_request: execute,
  complete_request: complete,
  inspect_request: inspect,
  is_complete_request: isComplete,
  history_request: history,
  comm_info_request: comm.commInfo,
  comm_open: comm.commOpen,
  comm_msg: comm.commMsg,
  comm_close: comm.commClose,
  // Protocol 5.4 moved shutdown to control; older clients still send it on shell.
  shutdown_request: shutdown,
};

export const controlHandlers: Readonly<Record<string, Handler>> = {
  kernel_info_request: kernelInfo,
  shutdown_request: shutdown,
  interrupt_request: interrupt,
};
