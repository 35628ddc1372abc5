/**
 * Names accepted by `--perf-event` and the perf_event_attr type/config they
 * stand for (linux/perf_event.h), named as `perf list` names them.
 */

export const PERF_TYPE_HARDWARE = 0;
export const PERF_TYPE_SOFTWARE = 1;

export const PERF_EVENTS: Record<string, { type: number; config: number }> = {
  // hardware
  cycles: { type: PERF_TYPE_HARDWARE, config: 0 },
  "cpu-cycles": { type: PERF_TYPE_HARDWARE, config: 0 },
  instructions: { type: PERF_TYPE_HARDWARE, config: 1 },
  "cache-references": { type: PERF_TYPE_HARDWARE, config: 2 },
  "cache-misses": { type: PERF_TYPE_HARDWARE, config: 3 },
  "branch-instructions": { type: PERF_TYPE_HARDWARE, config: 4 },
  branches: { type: PERF_TYPE_HARDWARE, config: 4 },
  "branch-misses": { type: PERF_TYPE_HARDWARE, config: 5 },
  "bus-cycles": { type: PERF_TYPE_HARDWARE, config: 6 },
  "stalled-cycles-frontend": { type: PERF_TYPE_HARDWARE, config: 7 },
  "stalled-cycles-backend": { type: PERF_TYPE_HARDWARE, config: 8 },
  "ref-cycles": { type: PERF_TYPE_HARDWARE, config: 9 },
  // software
  "cpu-clock": { type: PERF_TYPE_SOFTWARE, config: 0 },
  "task-clock": { type: PERF_TYPE_SOFTWARE, config: 1 },
  "page-faults": { type: PERF_TYPE_SOFTWARE, config: 2 },
  faults: { type: PERF_TYPE_SOFTWARE, config: 2 },
  "context-switches": { type: PERF_TYPE_SOFTWARE, config: 3 },
  cs: { type: PERF_TYPE_SOFTWARE, config: 3 },
  "cpu-migrations": { type: PERF_TYPE_SOFTWARE, config: 4 },
  migrations: { type: PERF_TYPE_SOFTWARE, config: 4 },
  "minor-faults": { type: PERF_TYPE_SOFTWARE, config: 5 },
  "major-faults": { type: PERF_TYPE_SOFTWARE, config: 6 },
  "alignment-faults": { type: PERF_TYPE_SOFTWARE, config: 7 },
  "emulation-faults": { type: PERF_TYPE_SOFTWARE, config: 8 },
};

/** The default when neither --freq nor --period is given: profile-style 99 Hz. */
export const DEFAULT_FREQ = 99;
