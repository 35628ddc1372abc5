/**
 * The BPF side's entry, the one module of it the kernel imports (a
 * PluginModule). Cheap to import: the kernel reads the environment and starts
 * the start-up work once its sockets are bound; the plugin's own modules, which
 * load the addon, are imported in `load`.
 */
import type { PluginModule } from "../kernel/plugin.js";
import { environment, prepare } from "./environment.js";

const bpfSide: PluginModule = {
  environment,
  prepare,
  async load(host) {
    const { bpfPlugin } = await import("./plugin.js");
    return bpfPlugin(host);
  },
};

export default bpfSide;
