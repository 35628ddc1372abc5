/** How the protocol suites start a kernel: which engine, and a scratch data dir. */
import { join } from "node:path";
import { KernelClient, ROOT, type StartOptions } from "../support/kernel-client.js";

/**
 * The minimal vm engine keeps these suites about the protocol layer alone;
 * the language layer's engine is exercised by the suites that set `real`.
 */
export const VM_ENGINE = join(ROOT, "test/support/vm-engine.mjs");

export function startKernel(o: StartOptions & { real?: boolean } = {}): Promise<KernelClient> {
  const env = o.real ? { ...o.env } : { IBCC_ENGINE_MODULE: VM_ENGINE, ...o.env };
  return KernelClient.start({ ...o, env });
}
