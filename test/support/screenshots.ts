/**
 * Where a test's screenshot goes: the README's docs/images/ only when asked
 * (IBCC_UPDATE_SCREENSHOTS=1), else a folder of the test's own outside the
 * checkout, so that a test run leaves `git status` clean.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const DOCS_IMAGES = resolve(import.meta.dirname, "../../docs/images");
let scratch: string | undefined;

export const updatingScreenshots = process.env.IBCC_UPDATE_SCREENSHOTS === "1";

export function screenshotPath(name: string): string {
  if (updatingScreenshots) {
    mkdirSync(DOCS_IMAGES, { recursive: true });
    return join(DOCS_IMAGES, name);
  }
  scratch ??= mkdtempSync(join(tmpdir(), "ibcc-screenshots-"));
  return join(scratch, name);
}
