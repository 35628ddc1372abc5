import { defineConfig } from "vitest/config";

// BPF tests share one kernel and count real events: run files one at a time so
// one suite's workload never lands in another's maps.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
