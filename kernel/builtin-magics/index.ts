/** The kernel's own magics, registered through the same table as the plugins'. */
import type { Magic } from "../plugin.js";
import { lsmagic } from "./lsmagic.js";
import { memoryMagic, type MemorySources } from "./memory.js";
import { timeCell, timeLine } from "./time.js";

export function kernelMagics(list: () => Magic[], memory: MemorySources): Magic[] {
  return [lsmagic(list), timeLine, timeCell, memoryMagic(memory)];
}

/** Cell magics whose body is TypeScript: the language service sees it as such. */
export const TYPESCRIPT_BODY_MAGICS: ReadonlySet<string> = new Set(["time"]);

export type { KernelMagicContext, RunResult } from "./context.js";
