/**
 * A kernel whose launcher has died shuts itself down, as ipykernel does: a
 * front end that exits without a shutdown_request (a killed notebook server,
 * a console at end of input) must not leave a kernel, and the BPF programs it
 * holds, running with no one to talk to. jupyter_client says who launched the
 * kernel in JPY_PARENT_PID; once the kernel's parent is no longer that
 * process (it died and the kernel was re-parented, to init or to a subreaper),
 * the kernel goes. A kernel started some other way is left alone.
 */
const POLL_MS = 1000;

export function watchParent(onGone: () => void, env: NodeJS.ProcessEnv = process.env): NodeJS.Timeout | undefined {
  const launcher = Number(env.JPY_PARENT_PID);
  // PID 1 never goes away, and a launcher that is not our parent (a wrapper
  // script in between) cannot be watched this way.
  if (!Number.isInteger(launcher) || launcher <= 1 || process.ppid !== launcher) return undefined;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    process.stderr.write(`ibcc: the process that launched the kernel (${launcher}) has exited; shutting down\n`);
    onGone();
  }, POLL_MS);
  timer.unref();
  return timer;
}
