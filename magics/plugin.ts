/**
 * The BPF side as the kernel loads it (dynamic import of magics/plugin.js):
 * the %%bpf cell magic and line magics, the BPF global and its declarations,
 * and a shutdown that detaches everything and ends every bpftrace.
 */
import type { CellIO, KernelPlugin } from "../kernel/plugin.js";
import { MAGICS } from "./registry.js";
import { BPF } from "./bpf.js";
import { DECLARATIONS } from "./declarations.js";
import { detachAll, whenDetached } from "./programs.js";
import { setCurrentIO } from "./session.js";
import { bpfMemory } from "./memory.js";
import { stopWriter } from "./capture/writer.js";
import { killAll } from "./bpftrace/runs.js";
import { BPFTRACE_DECLARATIONS } from "./bpftrace/declarations.js";

/**
 * Besides the contract: the kernel may call onExecute with each cell's IO so
 * that watches and event streams started from TypeScript reach the right cell.
 */
const plugin: KernelPlugin & { onExecute(io: CellIO): void } = {
  name: "bpf",
  magics: MAGICS,
  globals: { BPF },
  declarations: DECLARATIONS + BPFTRACE_DECLARATIONS,
  // Hooks close on background threads; shutdown reports once the kernel has
  // finished (the kernel bounds the wait, and process exit would close them anyway).
  async shutdown() {
    detachAll();
    await Promise.all([whenDetached(), stopWriter(), killAll()]);
  },
  memory: bpfMemory,
  onExecute(io: CellIO) {
    setCurrentIO(io);
  },
};

export default plugin;
