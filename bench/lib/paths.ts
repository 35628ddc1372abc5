/** Where the bench's own files are, from the sources or from dist/. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("bench: cannot find the package root");
    dir = up;
  }
  return dir;
}

export const root = packageRoot();
export const benchSrc = join(root, "bench");
