/**
 * The course notebooks a person opens with `ibcc start` are a working copy in
 * their home (~/ibcc-course, or $IBCC_COURSE_DIR), not the checkout's
 * notebooks/: saving a notebook writes its outputs, and those belong to the
 * person, not to the repository. Files missing from the copy are added at each
 * start (a new lesson after a pull); a file already there is never replaced.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** notebooks/'s build sources: the .ipynb files are made from them. */
const NOT_COURSE = new Set(["src", "tools", ".ipynb_checkpoints"]);

export function courseDir(): string {
  return resolve(process.env.IBCC_COURSE_DIR || join(homedir(), "ibcc-course"));
}

/** Copies what `to` lacks from `from`; returns the paths added, relative to `to`. */
export function copyCourse(from: string, to: string): string[] {
  const added: string[] = [];
  const walk = (rel: string): void => {
    mkdirSync(join(to, rel), { recursive: true });
    for (const entry of readdirSync(join(from, rel), { withFileTypes: true })) {
      if (rel === "" && NOT_COURSE.has(entry.name)) continue;
      const path = rel ? join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !existsSync(join(to, path))) {
        copyFileSync(join(from, path), join(to, path));
        added.push(path);
      }
    }
  };
  walk("");
  return added;
}
