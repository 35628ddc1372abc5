/**
 * The BPF side as the kernel runs it: the %%bpf cell magic and line magics,
 * the BPF global and its declarations, and a shutdown that detaches
 * everything and ends every bpftrace. Loaded through magics/index.ts.
 */
import type { KernelPlugin, PluginHost } from "../kernel/plugin.js";
import { MAGICS } from "./registry.js";
import { BPF } from "./bpf.js";
import { DECLARATIONS } from "./declarations.js";
import { detachAll, whenDetached } from "./programs.js";
import { useHost } from "./session.js";
import { bpfMemory } from "./memory.js";
import { stopWriter } from "./capture/writer.js";
import { killAll } from "./bpftrace/runs.js";
import { BPFTRACE_DECLARATIONS } from "./bpftrace/declarations.js";

export function bpfPlugin(host: PluginHost): KernelPlugin {
  // Watches and event streams started from TypeScript find their cell through the host.
  useHost(host);
  return {
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
  };
}
