/**
 * compile(): BCC text to a Module. libbcc reports diagnostics only on fd 2,
 * which the addon captures for the duration; compiles are queued so that one
 * runs at a time and each capture holds only its own compile's output.
 */
import { binding } from "./binding.js";
import { parseDiagnostics } from "./diagnostics.js";
import { ModuleImpl } from "./module.js";
import { CompileError, type CompileOptions, type Module } from "./types.js";

let queue: Promise<unknown> = Promise.resolve();

export function compile(text: string, opts: CompileOptions = {}): Promise<Module> {
  const run = queue.then(() => compileNow(text, opts));
  queue = run.then(() => undefined, () => undefined);  // holds no module
  return run;
}

let warming: Promise<void> | undefined;

/**
 * Does the once-per-process compiler set-up (LLVM's statics, built on a
 * program that cannot fail; about one compile's time) in the background, so
 * the first compile() costs what any later one does. A process that will
 * compile calls this early (a kernel at start). Idempotent; compile() works
 * without it and does the set-up itself.
 */
export function prepareCompiler(): Promise<void> {
  warming ??= binding.warmUp();
  return warming;
}

async function compileNow(text: string, opts: CompileOptions): Promise<Module> {
  const r = await binding.compile(text, opts.cflags ?? [], opts.debug ?? 0);
  const diagnostics = parseDiagnostics(r.log);
  if (r.handle === null) {
    const errors = diagnostics.filter((d) => d.severity === "error" || d.severity === "fatal");
    const first = errors[0];
    const message = first
      ? `compile failed: ${first.file}:${first.line}:${first.column}: ${first.message}` +
        (errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : "")
      : `compile failed${r.log.trim() ? ": " + r.log.trim().split("\n").slice(-3).join(" | ") : ""}`;
    throw new CompileError(message, diagnostics, r.log);
  }
  return new ModuleImpl(r.handle, diagnostics, r.log);
}
