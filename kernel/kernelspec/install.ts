/** Writes the kernelspec directory: kernel.json and the two logos. */
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { logoPng } from "./logo.js";

export const DEFAULT_NAME = "ibcc";
export const DISPLAY_NAME = "ibcc (TypeScript + BPF)";

export interface InstallOptions {
  /** Install under ~/.local/share/jupyter (or $JUPYTER_DATA_DIR). */
  user?: boolean;
  /** Install under PREFIX/share/jupyter. */
  prefix?: string;
  /** The kernel's name (its directory); default "ibcc". */
  name?: string;
}

/** The CLI that runs the kernel: dist/kernel/cli.js beside this file's parent. */
export function cliPath(): string {
  return fileURLToPath(new URL("../cli.js", import.meta.url));
}

export function kernelJson(name: string): Record<string, unknown> {
  return {
    argv: [process.execPath, cliPath(), "kernel", "{connection_file}"],
    display_name: name === DEFAULT_NAME ? DISPLAY_NAME : `${DISPLAY_NAME} [${name}]`,
    language: "typescript",
    interrupt_mode: "message",
    env: {},
    metadata: { debugger: false, ibcc: { needs_root: true } },
  };
}

export function kernelsDir(o: InstallOptions): string {
  if (o.prefix) return join(resolve(o.prefix), "share", "jupyter", "kernels");
  if (o.user) {
    const data = process.env.JUPYTER_DATA_DIR || join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter");
    return join(data, "kernels");
  }
  return "/usr/local/share/jupyter/kernels";
}

/** Installs the kernelspec and returns its directory. */
export function installKernelspec(o: InstallOptions = {}): string {
  const name = o.name ?? DEFAULT_NAME;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`kernel name "${name}" may hold only letters, digits, ".", "_" and "-"`);
  const dir = join(kernelsDir(o), name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelJson(name), null, 2) + "\n");
  writeFileSync(join(dir, "logo-32x32.png"), logoPng(32));
  writeFileSync(join(dir, "logo-64x64.png"), logoPng(64));
  return dir;
}
