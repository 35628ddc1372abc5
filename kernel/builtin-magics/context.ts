/** What the kernel's own magics get beyond a plugin's MagicContext. */
import type { MagicContext } from "../plugin.js";

export interface RunResult {
  hasValue: boolean;
  value?: unknown;
}

export interface KernelMagicContext extends MagicContext {
  /**
   * Runs TypeScript as if it stood where the magic's arguments (line magic) or
   * body (cell magic) stand in the cell, so errors keep the cell's line numbers.
   */
  runTypeScript(code: string): Promise<RunResult>;
}

export function isKernelContext(ctx: MagicContext): ctx is KernelMagicContext {
  return typeof (ctx as Partial<KernelMagicContext>).runTypeScript === "function";
}
