/** %time expr and %%time: wall and CPU time of TypeScript run in the session. */
import type { CellMagic, LineMagic, MagicContext } from "../plugin.js";
import { isKernelContext } from "./context.js";

function ms(micros: number): string {
  const m = micros / 1000;
  return m >= 100 ? `${m.toFixed(0)} ms` : m >= 1 ? `${m.toFixed(2)} ms` : `${micros.toFixed(0)} µs`;
}

/** IPython's layout, so the numbers read where people expect them. */
export function timingText(cpu: NodeJS.CpuUsage, wallNs: bigint): string {
  const wall = Number(wallNs) / 1000;
  return `CPU times: user ${ms(cpu.user)}, sys: ${ms(cpu.system)}, total: ${ms(cpu.user + cpu.system)}\nWall time: ${ms(wall)}\n`;
}

async function timed(code: string, ctx: MagicContext): Promise<unknown> {
  if (!isKernelContext(ctx)) throw new Error("%time needs the kernel's own magic context");
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  try {
    const r = await ctx.runTypeScript(code);
    return r.hasValue ? r.value : undefined;
  } finally {
    ctx.stream("stdout", timingText(process.cpuUsage(cpu0), process.hrtime.bigint() - t0));
  }
}

export const timeLine: LineMagic = {
  kind: "line",
  name: "time",
  help: "Time one TypeScript statement or expression: %time await work()",
  run: (args, ctx) => timed(args, ctx),
};

export const timeCell: CellMagic = {
  kind: "cell",
  name: "time",
  help: "Time the TypeScript below the header (wall and CPU time)",
  run: (block, ctx) => timed(block.body, ctx),
};
