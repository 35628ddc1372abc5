/**
 * SIGINT that never kills the kernel, even while cells run vm scripts with
 * breakOnSigint.
 *
 * With any process.on("SIGINT") listener, Node's vm (lib/vm.js,
 * sigintHandlersWrap) removes every SIGINT listener before each
 * breakOnSigint run and adds them back after it. Removing the last listener
 * stops libuv's signal handle, which resets SIGINT to its default action; the
 * run's SigintWatchdogHelper then installs its own handler, and on stopping
 * installs one that exits the process. A SIGINT in either gap ends the kernel
 * (exit 130), and a cell making many short runs makes the gaps frequent.
 *
 * Instead this module keeps no SIGINT listener at all (so vm never swaps) and
 * holds the SigintWatchdogHelper started for the life of the process, through
 * the start/stop calls Node's REPL uses: the helper is reference counted, so
 * each run's own start/stop only moves the count and the helper's handler is
 * installed at all times. A SIGINT during a run breaks it
 * (ERR_SCRIPT_EXECUTION_INTERRUPTED); one between runs is left pending in the
 * helper, and is picked up by a poll and before each run. A SIGINT that lands
 * in the few instructions between a run's end and its stop can be dropped by
 * Node (the stop clears the pending flag): an interrupt lost, never the kernel.
 */

interface WatchdogBinding {
  startSigintWatchdog(): void;
  stopSigintWatchdog(): boolean;
  watchdogHasPendingSigint(): boolean;
}

function watchdogBinding(): WatchdogBinding | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<WatchdogBinding> }).binding("contextify");
    const { startSigintWatchdog, stopSigintWatchdog, watchdogHasPendingSigint } = binding;
    if (typeof startSigintWatchdog !== "function" || typeof stopSigintWatchdog !== "function" || typeof watchdogHasPendingSigint !== "function") {
      return undefined;
    }
    return binding as WatchdogBinding;
  } catch {
    return undefined;
  }
}

let binding: WatchdogBinding | undefined;
const handlers: Array<() => void> = [];
const POLL_MS = 25;

/**
 * Calls `handler` on every SIGINT from now on; the process no longer ends on
 * SIGINT. Falls back to a plain listener where Node lacks the watchdog calls.
 */
export function onSigint(handler: () => void): void {
  handlers.push(handler);
  if (handlers.length > 1) return;
  binding = watchdogBinding();
  if (!binding) {
    process.on("SIGINT", () => deliver());
    return;
  }
  // Held twice so that taking a pending signal (stop, then start) never lets the count reach 0.
  binding.startSigintWatchdog();
  binding.startSigintWatchdog();
  setInterval(takePendingSigint, POLL_MS).unref();
}

/** Delivers a SIGINT that came between runs, if any; called before each run too. */
export function takePendingSigint(): void {
  if (!binding?.watchdogHasPendingSigint()) return;
  binding.stopSigintWatchdog();
  binding.startSigintWatchdog();
  deliver();
}

/**
 * Forgets a SIGINT that came while no cell ran (and before the poll saw it):
 * an interrupt while idle stops nothing, and must not stop the next cell.
 */
export function dropPendingSigint(): void {
  if (!binding?.watchdogHasPendingSigint()) return;
  binding.stopSigintWatchdog();
  binding.startSigintWatchdog();
}

function deliver(): void {
  for (const h of handlers) {
    try {
      h();
    } catch (err) {
      process.stderr.write(`ibcc: SIGINT handler failed: ${(err as Error)?.message}\n`);
    }
  }
}
