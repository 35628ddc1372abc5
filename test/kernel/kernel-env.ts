/** How the protocol suites start a kernel: which engine, and a scratch data dir. */
import { join } from "node:path";
import { KernelClient, ROOT, type StartOptions } from "../support/kernel-client.js";

/**
 * The suites run the language layer's TypeScript engine. `vm: true` selects a
 * minimal engine of ours instead, for the few checks that need to observe the
 * engine from outside (that its shutdown ran).
 */
export const VM_ENGINE = join(ROOT, "test/support/vm-engine.mjs");

export function startKernel(o: StartOptions & { vm?: boolean } = {}): Promise<KernelClient> {
  const env = o.vm ? { IBCC_ENGINE_MODULE: VM_ENGINE, ...o.env } : { ...o.env };
  return KernelClient.start({ ...o, env });
}
