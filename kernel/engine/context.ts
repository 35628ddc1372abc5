/**
 * The session's one vm context: Node's globals (process, Buffer, timers, URL,
 * fetch, ...), a console writing to the running cell's streams, `require`
 * from the kernel's working directory, the kernel's and plugins' globals, and
 * the hidden hook transformed code calls for imports and the cell's result.
 *
 * The context is its own realm: arrays, objects and typed arrays a cell makes
 * come from its own Array, Object and Uint8Array, so code outside (plugins)
 * should test them with Array.isArray and ArrayBuffer.isView, not instanceof.
 * Symbol.for symbols (Jupyter.display) are shared across realms.
 */
import { Console } from "node:console";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { HOOK } from "./hook.js";
import { hideAsyncStore } from "./hide-async-store.js";
import { currentScope, streamInOrder } from "./scope.js";

export interface Hook {
  import(specifier: string): Promise<unknown>;
  result(value: unknown): void;
}

export interface SessionContext {
  context: vm.Context;
  hook: Hook;
  /** Receives the value of the running chunk's last expression. */
  onResult: (value: unknown) => void;
}

/** A stream-like sink that forwards each write to the running cell's stream. */
function sink(name: "stdout" | "stderr") {
  const noop = function (this: unknown) {
    return this;
  };
  // Console listens for "error" on its streams around each write; this sink never fails.
  return {
    on: noop,
    once: noop,
    removeListener: noop,
    off: noop,
    emit: () => false,
    listenerCount: () => 0,
    write(chunk: string | Uint8Array): boolean {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const scope = currentScope();
      if (scope) streamInOrder(scope, name, text);
      else (name === "stdout" ? process.stdout : process.stderr).write(text);
      return true;
    },
  };
}

export function cellConsole(): Console {
  return new Console({ stdout: sink("stdout") as never, stderr: sink("stderr") as never, colorMode: false });
}

/** Resolves what a cell imports: node built-ins, paths relative to the cwd, and packages. */
export function importFromCwd(cwd: string): (specifier: string) => Promise<unknown> {
  const req = createRequire(path.join(cwd, "__cell__.js"));
  return async (specifier) => {
    if (specifier.startsWith("./") || specifier.startsWith("../") || path.isAbsolute(specifier)) {
      return import(pathToFileURL(path.resolve(cwd, specifier)).href);
    }
    if (specifier.startsWith("file:") || specifier.startsWith("node:")) return import(specifier);
    try {
      // A package installed beside the notebook first, then one the kernel itself can see.
      return await import(pathToFileURL(req.resolve(specifier)).href);
    } catch (err) {
      try {
        return await import(specifier);
      } catch {
        throw err;
      }
    }
  };
}

export function createSessionContext(globals: Record<string, unknown>, cwd = process.cwd()): SessionContext {
  const context = vm.createContext({});
  const own = new Set(vm.runInContext("Object.getOwnPropertyNames(globalThis)", context) as string[]);
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (own.has(name) || name === "console" || name === "global") continue;
    const desc = Object.getOwnPropertyDescriptor(globalThis, name);
    if (desc) Object.defineProperty(context, name, desc);
  }
  vm.runInContext("globalThis.global = globalThis", context);
  hideAsyncStore(vm.runInContext("Promise", context) as PromiseConstructor);
  const session: SessionContext = {
    context,
    onResult: () => {},
    hook: {
      import: importFromCwd(cwd),
      result: (value) => session.onResult(value),
    },
  };
  hidden(context, HOOK, session.hook);
  hidden(context, "console", cellConsole());
  hidden(context, "require", createRequire(path.join(cwd, "__cell__.js")));
  addGlobals(session, globals);
  return session;
}

/** Globals every later cell sees (a plugin's, once it has loaded). */
export function addGlobals(session: SessionContext, globals: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(globals)) hidden(session.context, name, value);
}

function hidden(context: vm.Context, name: string, value: unknown): void {
  Object.defineProperty(context, name, { value, writable: true, configurable: true, enumerable: false });
}
