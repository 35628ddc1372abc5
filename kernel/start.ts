/**
 * `ibcc start` (what `npm start` runs after set-up): installs the kernelspec for
 * this user, brings the course's working copy up to date (course.ts), runs
 * Debian's Jupyter Notebook on 127.0.0.1 with that copy as its root, prints the
 * URL with its token, and stops the server cleanly on Ctrl-C.
 *
 *   ibcc start [--port N] [--notebook-dir DIR] [-- extra jupyter notebook args]
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { copyCourse, courseDir } from "./course.js";
import { installKernelspec } from "./kernelspec/install.js";

export interface StartOptions {
  port: number;
  notebookDir: string;
  /** The checkout's notebooks/ when notebookDir is the course's working copy, to bring it up to date from. */
  courseFrom?: string;
  extra: string[];
}

/** The repository's notebooks/ next to dist/ (or to kernel/ when run from source). */
export function courseSource(): string | undefined {
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (const up of ["../../notebooks", "../notebooks"]) {
    const dir = resolve(here, up);
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

export function parseStartArgs(argv: string[]): StartOptions {
  const from = courseSource();
  const o: StartOptions = from ? { port: 8888, notebookDir: courseDir(), courseFrom: from, extra: [] } : { port: 8888, notebookDir: process.cwd(), extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--") {
      o.extra.push(...argv.slice(i + 1));
      break;
    } else if (a === "--port" || a.startsWith("--port=")) {
      o.port = Number(value());
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error(`bad port ${o.port}`);
    } else if (a === "--notebook-dir" || a.startsWith("--notebook-dir=")) {
      o.notebookDir = resolve(value());
      delete o.courseFrom;
    } else o.extra.push(a);
  }
  return o;
}

/** `jupyter-notebook` if installed, else `jupyter notebook`. */
function jupyterCommand(): [string, string[]] {
  const direct = spawnSync("sh", ["-c", "command -v jupyter-notebook"], { encoding: "utf8" }).stdout.trim();
  return direct ? [direct, []] : ["jupyter", ["notebook"]];
}

// Jupyter prints the URL with the token masked when the token was given to it,
// and may move to another port when the one asked for is taken.
const URL_RE = /http:\/\/127\.0\.0\.1:(\d+)(\/\S*?)\?token=/;

/** Resolves with the server's exit code once it has stopped. */
export async function start(argv: string[]): Promise<number> {
  let o: StartOptions;
  try {
    o = parseStartArgs(argv);
  } catch (e) {
    process.stderr.write(`ibcc start: ${(e as Error).message}\n`);
    return 2;
  }
  const specDir = installKernelspec({ user: true });
  process.stdout.write(`ibcc: kernelspec installed in ${specDir}\n`);
  if (o.courseFrom) {
    const fresh = !existsSync(o.notebookDir);
    const added = copyCourse(o.courseFrom, o.notebookDir);
    if (fresh) process.stdout.write(`ibcc: the course is copied to ${o.notebookDir}; your notebooks and their outputs are saved there\n`);
    else if (added.length) process.stdout.write(`ibcc: added to ${o.notebookDir} from the course: ${added.join(", ")}\n`);
  }

  const token = randomBytes(24).toString("hex");
  const [cmd, pre] = jupyterCommand();
  const args = [
    ...pre,
    "--ip=127.0.0.1",
    `--port=${o.port}`,
    "--no-browser",
    `--notebook-dir=${o.notebookDir}`,
    `--NotebookApp.token=${token}`,
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
    ...o.extra,
  ];
  // Its own process group: the terminal's Ctrl-C reaches only us, and we stop
  // the server with SIGTERM, which shuts its kernels down without the
  // interactive "Shutdown this notebook server (y/[n])?" prompt SIGINT gives.
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let announced = false;
  const onOutput = (chunk: Buffer) => {
    const text = chunk.toString();
    process.stderr.write(text);
    const m = URL_RE.exec(text);
    if (m && !announced) {
      announced = true;
      const url = `http://127.0.0.1:${m[1]}${m[2]}?token=${token}`;
      process.stdout.write(`\nibcc: Jupyter Notebook is running at ${url}\nibcc: notebooks from ${o.notebookDir}; press Ctrl-C to stop\n`);
    }
  };
  child.stdout!.on("data", onOutput);
  child.stderr!.on("data", onOutput);
  return waitAndStop(child);
}

function waitAndStop(child: ChildProcess): Promise<number> {
  return new Promise((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second Ctrl-C: do not wait for a slow shutdown.
        child.kill("SIGKILL");
        return;
      }
      stopping = true;
      process.stdout.write(`\nibcc: ${signal}: stopping Jupyter Notebook\n`);
      child.kill("SIGTERM");
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    // If we die without a signal handler running, take the server with us.
    const onExit = () => {
      if (child.exitCode === null) child.kill("SIGTERM");
    };
    process.on("exit", onExit);
    child.on("error", (err) => {
      process.stderr.write(`ibcc start: could not run Jupyter Notebook: ${err.message}\n`);
      cleanup();
      done(1);
    });
    child.on("exit", (code, signal) => {
      cleanup();
      process.stdout.write(`ibcc: Jupyter Notebook stopped${signal ? ` (${signal})` : ""}\n`);
      done(stopping ? 0 : (code ?? 1));
    });
    function cleanup() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      process.off("exit", onExit);
    }
  });
}
