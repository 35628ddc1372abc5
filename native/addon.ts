/**
 * Loads the compiled addon. The binary sits in build/Release under the package
 * root, which is one folder up from native/ in the sources and two from
 * dist/native/ in the build, so the root is found by walking up to package.json.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("ibcc: cannot find the package root above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export const root = packageRoot();
// IBCC_ADDON points at another build of the addon (cmake-js build --out DIR), so a
// change to the native layer can be built and tried beside the one in build/.
const binary = process.env.IBCC_ADDON || join(root, "build", "Release", "ibcc_native.node");

/** The addon's exports, untyped: binding.ts declares what they are. */
export const addon: unknown = createRequire(import.meta.url)(binary);
