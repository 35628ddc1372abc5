/** comm_info_request, comm_open, comm_msg and comm_close. */
import type { Handler } from "../state.js";

export const commInfo: Handler = (ctx, state) => {
  const target = typeof ctx.content.target_name === "string" ? ctx.content.target_name : undefined;
  ctx.reply({ status: "ok", comms: state.comms.info(target) });
};

export const commOpen: Handler = (ctx, state) => {
  const { comm_id: id, target_name: target, data } = ctx.content;
  if (typeof id !== "string") return;
  if (!state.comms.openComm(id, String(target), data)) {
    ctx.publish("comm_close", { comm_id: id, data: {} });
  }
};

export const commMsg: Handler = (ctx, state) => {
  const { comm_id: id, data } = ctx.content;
  if (typeof id === "string" && !state.comms.message(id, data)) {
    process.stderr.write(`ibcc: comm_msg for unknown comm ${id}\n`);
  }
};

export const commClose: Handler = (ctx, state) => {
  const { comm_id: id, data } = ctx.content;
  if (typeof id === "string") state.comms.close(id, data);
};
