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
  // ServeOptions.afterBinding). The BPF side's entry loads while zeromq binds
  // and is prepared once the sockets are bound.
  const { serve } = await import("./transport/serve.js");
  const pluginModule = loadPluginModule();
  let prepared: Promise<PluginPreparation> | undefined;
  const preparing = (): Promise<PluginPreparation> => (prepared ??= pluginModule.then(prepare));
  const gate = engineGate();
  const engine = pendingEngine(
    gate.opened.then(async () => loadEngine(await pluginModule, await preparing())),
    gate.open,
  );
  try {
    await serve({
      connectionFile: file,
      engine,
      allowUnsigned,
      afterBinding: () => {
        // The compiler's files are read while the client's first request is on its way.
        if (!process.env.IBCC_ENGINE_MODULE) prefetchTypeScript();
        return preparing().then((p) => p.beforeAnswering);
      },
      onFirstReply: gate.open,
    });
  } catch (err) {
    if (!(err instanceof UnsignedRefused)) throw err;
    process.stderr.write(`ibcc: ${err.message}\n`);
    process.exit(3);
  }
  setTimeout(gate.open, ENGINE_LOAD_FALLBACK_MS);
  return -1; // keep running; the kernel exits on shutdown_request or SIGTERM
}

/** Clients ask kernel_info as soon as they connect; one that does not still gets an engine soon. */
const ENGINE_LOAD_FALLBACK_MS = 200;

function engineGate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
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
 * The plugins and the engine's modules load side by side: the BPF side first
 * waits for its libraries to be mapped on another thread, and the main thread
 * loads TypeScript and the engine meanwhile.
 */
async function loadEngine(plugin: PluginModule | undefined, prepared: PluginPreparation): Promise<Engine> {
  const plugins = loadPlugins(plugin, prepared);
  const createEngine = await loadEngineModule();
  startMark("TypeScript and the engine's modules loaded");
  return createEngine({ plugins: await plugins });
}

async function loadEngineModule(): Promise<(o: { plugins: KernelPlugin[] }) => Engine> {
  // IBCC_ENGINE_MODULE lets the protocol tests run on a minimal engine of their own.
  const override = process.env.IBCC_ENGINE_MODULE;
  // TypeScript first, through its fast loader: the engine's modules that
  // import it plainly then share that instance (see engine/typescript.ts).
  if (!override) await import("./engine/typescript.js");
  const specifier = override ? pathToFileURL(resolve(override)).href : "./engine/index.js";
  const mod = (await import(specifier)) as { createEngine(o: { plugins: KernelPlugin[] }): Engine };
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
