#!/usr/bin/env node
/**
 * ibcc's command line:
 *   ibcc kernel [--allow-unsigned] <connection_file>  run the kernel (what Jupyter launches)
 *   ibcc install [--user | --prefix P] [--name N]  install the kernelspec
 *   ibcc start [--port N] [--notebook-dir D]    install for this user and start Jupyter Notebook
 *   ibcc export [--execute] NOTEBOOK.ipynb [-o OUT.html]  a notebook as one self-contained HTML page
 *   ibcc --help
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Engine } from "./engine.js";
import type { InstallOptions } from "./kernelspec/install.js";
import type { KernelPlugin, PluginModule, PluginPreparation } from "./plugin.js";
import { addEnvironment } from "./protocol/handlers/kernel-info.js";
import { runningCell } from "./engine/running-cell.js";
import { pendingEngine } from "./protocol/pending-engine.js";
import { ConnectionFileError } from "./transport/connection.js";
import { allowUnsignedFromEnv, UnsignedRefused } from "./transport/key-policy.js";
import { startMark } from "./start-marks.js";
import { prefetchTypeScript } from "./engine/typescript-files.js";

const USAGE = `usage:
  ibcc kernel <connection_file>                   run the kernel on a Jupyter connection file
      --allow-unsigned                            serve a file whose "key" is empty (unsigned messages:
                                                  anyone reaching its ports can run code); refused
                                                  without it or IBCC_ALLOW_UNSIGNED=1, warned on stderr
  ibcc install [--user | --prefix P] [--name N]   install the kernelspec (default: /usr/local/share/jupyter)
  ibcc start [--port N] [--notebook-dir D] [-- A]  install the kernelspec (user) and run Jupyter Notebook
                                                  on 127.0.0.1, printing its URL and token; it opens
                                                  your copy of the course, ~/ibcc-course ($IBCC_COURSE_DIR),
                                                  made from notebooks/ on first start
  ibcc export [--execute] NOTEBOOK.ipynb [-o OUT.html]
                                                  one self-contained HTML file, charts interactive offline;
                                                  --execute runs the notebook first (ibcc kernel, nbclient)
  ibcc --help                                     show this help
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "kernel":
      return runKernel(rest);
    case "install":
      return install(rest, (await import("./kernelspec/install.js")).installKernelspec);
    case "start":
      // Imported on use: the kernel's own start-up should not pay for them.
      return (await import("./start.js")).start(rest);
    case "export":
      return (await import("./export/index.js")).exportNotebook(rest);
    case "--help":
    case "-h":
    case "help":
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(command ? `ibcc: unknown command "${command}"\n${USAGE}` : USAGE);
      return 2;
  }
}

async function runKernel(argv: string[]): Promise<number> {
  const allowUnsigned = argv.includes("--allow-unsigned") || allowUnsignedFromEnv();
  const args = argv.filter((a) => a !== "--allow-unsigned");
  const file = args[0];
  if (!file || args.length > 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  startMark("cli loaded");
  // The sockets first: a client's first kernel_info waits for the bind (see
  // ServeOptions.afterBinding). The BPF side's entry and the engine's modules
  // (small: plugins and TypeScript load later, see engine/index.ts) load while
  // zeromq binds; the BPF side is prepared and the engine made once the
  // sockets are bound.
  const { serve } = await import("./transport/serve.js");
  const pluginModule = loadPluginModule();
  const engineModule = loadEngineModule();
  let prepared: Promise<PluginPreparation> | undefined;
  const preparing = (): Promise<PluginPreparation> => (prepared ??= pluginModule.then(prepare));
  const bound = signal();
  const engine = pendingEngine(bound.done.then(async () => makeEngine(await engineModule, await pluginModule, await preparing())));
  try {
    await serve({
      connectionFile: file,
      engine,
      allowUnsigned,
      afterBinding: () => {
        // The compiler's files are read while the client's first request is on
        // its way, after the engine's modules: libuv's threads read both.
        if (!process.env.IBCC_ENGINE_MODULE) void engineModule.then(prefetchTypeScript, () => {});
        bound.give();
        return preparing().then((p) => p.beforeAnswering);
      },
    });
  } catch (err) {
    if (!(err instanceof UnsignedRefused)) throw err;
    process.stderr.write(`ibcc: ${err.message}\n`);
    process.exit(3);
  }
  return -1; // keep running; the kernel exits on shutdown_request or SIGTERM
}

function signal(): { done: Promise<void>; give: () => void } {
  let give!: () => void;
  const done = new Promise<void>((resolve) => (give = resolve));
  return { done, give };
}

/**
 * The BPF side is optional: the kernel runs as a plain TypeScript kernel
 * without it. Its entry module is small enough to load while the sockets bind.
 */
async function loadPluginModule(): Promise<PluginModule | undefined> {
  const url = new URL("../magics/index.js", import.meta.url);
  if (!existsSync(url)) return undefined;
  try {
    return ((await import(url.href)) as { default: PluginModule }).default;
  } catch (err) {
    process.stderr.write(`ibcc: could not load ${url.pathname}; running without it: ${(err as Error).stack}\n`);
    return undefined;
  }
}

/**
 * Records the plugin's facts in kernel_info (and so in executed notebooks) and
 * begins its start-up work on other threads. Neither may stop the kernel.
 */
function prepare(plugin: PluginModule | undefined): PluginPreparation {
  if (!plugin) return {};
  try {
    if (plugin.environment) addEnvironment(plugin.environment());
    const p = plugin.prepare?.() ?? {};
    return { beforeAnswering: p.beforeAnswering?.catch(() => {}), beforeLoad: p.beforeLoad?.catch(() => {}) };
  } catch (err) {
    process.stderr.write(`ibcc: the plugin's start-up failed: ${(err as Error).message}\n`);
    return {};
  }
}

async function loadPlugins(plugin: PluginModule | undefined, prepared: PluginPreparation): Promise<KernelPlugin[]> {
  if (!plugin) return [];
  await prepared.beforeLoad;
  try {
    const loaded = await plugin.load({ runningCell });
    startMark("plugin loaded");
    return [loaded];
  } catch (err) {
    process.stderr.write(`ibcc: could not load the plugin; running without it: ${(err as Error).stack}\n`);
    return [];
  }
}

/**
 * The plugins and TypeScript are loaded by the engine when a request first
 * needs them or once it is idle (the BPF side meanwhile maps its libraries on
 * another thread).
 */
function makeEngine(createEngine: CreateEngine, plugin: PluginModule | undefined, prepared: PluginPreparation): Engine {
  return createEngine({ plugins: () => loadPlugins(plugin, prepared) });
}

type CreateEngine = (o: { plugins: () => Promise<KernelPlugin[]> }) => Engine;

async function loadEngineModule(): Promise<CreateEngine> {
  // IBCC_ENGINE_MODULE lets the protocol tests run on a minimal engine of their own.
  const override = process.env.IBCC_ENGINE_MODULE;
  const specifier = override ? pathToFileURL(resolve(override)).href : "./engine/index.js";
  const mod = (await import(specifier)) as { createEngine: CreateEngine };
  startMark("engine's modules loaded");
  return mod.createEngine;
}

function install(args: string[], installKernelspec: (o: InstallOptions) => string): number {
  const o: InstallOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--user") o.user = true;
    else if (a === "--prefix" || a === "--name") {
      const value = args[++i];
      if (!value) return usageError(`${a} needs a value`);
      if (a === "--prefix") o.prefix = value;
      else o.name = value;
    } else if (a.startsWith("--prefix=")) o.prefix = a.slice("--prefix=".length);
    else if (a.startsWith("--name=")) o.name = a.slice("--name=".length);
    else return usageError(`unknown option "${a}"`);
  }
  if (o.user && o.prefix) return usageError("--user and --prefix exclude each other");
  if (o.prefix && !isAbsolute(o.prefix)) o.prefix = resolve(o.prefix);
  const dir = installKernelspec(o);
  process.stdout.write(`installed kernelspec ${o.name ?? "ibcc"} in ${dir}\n`);
  return 0;
}

function usageError(text: string): number {
  process.stderr.write(`ibcc: ${text}\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    const plain = err instanceof ConnectionFileError;
    process.stderr.write(`ibcc: ${plain ? err.message : ((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
