/**
 * What a reader of a shared notebook needs to know about where it ran, cheap
 * enough for the kernel to read at start-up (before the BPF side loads): the
 * libbcc the dynamic linker picks, from the name libbcc.so.0 resolves to,
 * without loading LLVM.
 */
import { realpathSync } from "node:fs";
import type { PluginPreparation } from "../kernel/plugin.js";
import { startMark } from "../kernel/start-marks.js";
import { raiseMemlockOrReport } from "./memlock.js";
import { nativeApi, preloadNative } from "./native-api.js";

const LIB_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"];

export function libbccVersion(): string | undefined {
  for (const dir of LIB_DIRS) {
    try {
      const m = /libbcc\.so\.(\d+\.\d+\.\d+)$/.exec(realpathSync(`${dir}/libbcc.so.0`));
      if (m) return m[1];
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function environment(): Record<string, string> {
  const v = libbccVersion();
  return v ? { libbcc_version: v } : {};
}

/**
 * Start-up work of the BPF side that the kernel begins once its sockets are
 * bound, off the main thread. The memlock limit is raised before the plugin
 * loads, and so before any cell runs (the kernel runs none before its plugins
 * have loaded): no cell can load a program under the old limit, while
 * kernel_info and the other replies that need no cell do not wait for prlimit.
 * libbcc and LLVM are mapped for the addon, then the compiler set up; the
 * kernel loads the plugin once the mapping is done, as the plugin's modules
 * load the addon.
 */
export function prepare(): PluginPreparation {
  const memlock = raiseMemlockOrReport().then(() => startMark("memlock"));
  const mapped = preloadNative();
  // LLVM's once-per-process set-up (about one compile, on the addon's own
  // thread) starts as soon as the libraries are in, not when the plugin has
  // loaded: a first %%bpf cell sent at once finds it further along.
  void mapped
    .then(() => nativeApi())
    .then((api) => {
      startMark("native addon loaded");
      return api.prepareCompiler();
    })
    .then(() => startMark("compiler prepared"))
    .catch(() => {});
  return { beforeLoad: Promise.all([memlock, mapped]) };
}
