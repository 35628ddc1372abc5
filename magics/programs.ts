/**
 * Every live program of the session: those bound to a name by %%bpf (one per
 * name; a re-run replaces the earlier one) and those made with BPF.load.
 * Shutdown and %detach --all close them all.
 */
import type { Program } from "./program.js";

const named = new Map<string, Program>();
const all = new Set<Program>();
// Any program's settled covers every close before it: one is enough to ask,
// and asking through it keeps this file free of a static import of the addon.
let anyProgram: Program | undefined;

export function track(p: Program): void {
  all.add(p);
  anyProgram = p;
}

/** Binds `p` to its name, closing the program that had it before. */
export function bind(name: string, p: Program): Program | undefined {
  const old = named.get(name);
  named.set(name, p);
  all.add(p);
  anyProgram = p;
  if (old && old !== p) {
    old.close();
    all.delete(old);
  }
  return old;
}

export function byName(name: string): Program | undefined {
  return named.get(name);
}

export function names(): string[] {
  return [...named.keys()];
}

export function livePrograms(): Program[] {
  for (const p of all) if (p.closed) all.delete(p);
  return [...all];
}

/** Closes one named program; false when there is none. */
export function detach(name: string): boolean {
  const p = named.get(name);
  if (!p) return false;
  p.close();
  named.delete(name);
  all.delete(p);
  return true;
}

/**
 * Resolves once every program closed so far has finished detaching in the
 * kernel: close() (a re-run, %detach, detachAll) returns at once and the hooks
 * detach in the background, several at once.
 */
export function whenDetached(): Promise<void> {
  return anyProgram?.settled ?? Promise.resolve();
}

/** Closes everything; returns how many programs were open. */
export function detachAll(): number {
  const n = livePrograms().length;
  for (const p of all) {
    try {
      p.close();
    } catch {
      // keep closing the rest
    }
  }
  all.clear();
  named.clear();
  return n;
}
