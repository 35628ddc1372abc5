import { defineConfig } from "vitest/config";

/**
 * The fast tier (`npm run test:unit`): tests of pure code (spec parsing, codecs,
 * diagnostics, display, the wire format, the engine and the protocol layer in
 * this process, the layering of the sources' imports) that need no root, no
 * BPF, no sockets and no addon, and run in seconds. Everything else needs root
 * and runs in `npm test`, which runs these too.
 */
export const UNIT_TESTS = [
  "test/bpf/spec.test.ts",
  "test/bpf/diagnostics.test.ts",
  "test/bpf/event-types.test.ts",
  "test/bpf/declarations.test.ts",
  "test/bpf/helpers-doc.test.ts",
  "test/bpf/btf.test.ts",
  "test/bpftrace/parse.test.ts",
  "test/display/charts.test.ts",
  "test/display/flamegraph.test.ts",
  "test/display/histogram-text.test.ts",
  "test/display/percentile.test.ts",
  "test/display/tables.test.ts",
  "test/kernel/wire.test.ts",
  "test/kernel/kernel-core.test.ts",
  "test/kernel/history.test.ts",
  "test/kernel/engine-cells.test.ts",
  "test/kernel/engine-display.test.ts",
  "test/kernel/engine-interrupt.test.ts",
  "test/kernel/engine-magics.test.ts",
  "test/kernel/plain-cell.test.ts",
  "test/kernel/iopub-hold.test.ts",
  "test/hardening/guards.test.ts",
  "test/native/codec.test.ts",
  "test/browser/start-args.test.ts",
  "test/notebooks/sources.test.ts",
  "test/layering/layering.test.ts",
  "test/layering/any.test.ts",
];

export default defineConfig({
  test: {
    include: UNIT_TESTS,
    // Threads start faster than forked processes, and nothing here shares a kernel's maps.
    pool: "threads",
    testTimeout: 60_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
