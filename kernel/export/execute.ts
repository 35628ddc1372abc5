/**
 * `ibcc export --execute`: runs the notebook first with Debian's nbclient
 * (python3-nbclient) against the installed `ibcc` kernelspec, in the
 * notebook's own folder as Jupyter would, and hands back the executed copy.
 * The notebook file itself is left as it was.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { NbDocument } from "./html.js";

/** Debian's interpreter, where python3-nbclient is: not whatever python3 comes first on PATH. */
const PYTHON = "/usr/bin/python3";

const DRIVER = `
import sys, nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
src, out, kernel, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, kernel_name=kernel, timeout=timeout, allow_errors=True,
                        resources={"metadata": {"path": sys.argv[5]}})
try:
    client.execute()
except NoSuchKernel:
    sys.stderr.write(f"no '{kernel}' kernelspec is installed: run \`ibcc install\` (or \`npm start\`) first\\n")
    sys.exit(3)
except CellExecutionError as err:
    sys.stderr.write(str(err)[:2000] + "\\n")
nbformat.write(nb, out)
`;

export interface ExecuteOptions {
  kernelName?: string;
  /** Seconds a cell may run (default 600). */
  timeout?: number;
}

export async function executeNotebook(path: string, o: ExecuteOptions = {}): Promise<NbDocument> {
  const dir = mkdtempSync(join(tmpdir(), "ibcc-export-run-"));
  const out = join(dir, "executed.ipynb");
  try {
    const args = ["-c", DRIVER, resolve(path), out, o.kernelName ?? "ibcc", String(o.timeout ?? 600), dirname(resolve(path))];
    const child = spawn(PYTHON, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((done, fail) => {
      child.on("error", (e) => fail(new Error(`could not run ${PYTHON} (Debian's python3-nbclient): ${e.message}`)));
      child.on("exit", (c) => done(c));
    });
    if (code !== 0) {
      const why = err.includes("No module named") ? `Debian's python3-nbclient is missing (apt-get install python3-nbclient)` : err.trim().split("\n").slice(-6).join("\n");
      throw new Error(`running ${path} failed: ${why}`);
    }
    return JSON.parse(readFileSync(out, "utf8")) as NbDocument;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
