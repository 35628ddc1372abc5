/** `%detach NAME | --all`: detach and free a program of this session, or all of them. */
import { CellError, type LineMagic } from "../../kernel/plugin.js";
import { detach as detachOne, detachAll, names, whenDetached } from "../programs.js";

export const detach: LineMagic = {
  kind: "line",
  name: "detach",
  help: "Detach and free the program bound to NAME, or every program of this session: %detach NAME | --all",
  // Waits for the background closes, so "detached" means the hooks are gone
  // (they close side by side, not one tracepoint after another).
  async run(args, ctx) {
    const a = args.trim();
    if (a === "--all") {
      const n = detachAll();
      await whenDetached();
      ctx.stream("stdout", `detached ${n} program${n === 1 ? "" : "s"}\n`);
      return undefined;
    }
    if (!a || /\s/.test(a)) throw new CellError("UsageError", "%detach takes one NAME or --all");
    if (!detachOne(a))
      throw new CellError("NotFound", `no program named ${a}; loaded: ${names().join(", ") || "(none)"}`);
    await whenDetached();
    ctx.stream("stdout", `detached ${a}\n`);
    return undefined;
  },
};
