/**
 * Ownership of native handles. Every object made from a Module (programs,
 * attachments, event readers) is a child of it; closing a parent closes its
 * children, newest first. The native handles of one Module's tree are also
 * kept in a plain set, so a finalizer can release them when JS drops the whole
 * tree without closing it (every child holds its parent, so the tree goes at once).
 */
import { binding } from "./binding.js";
import { settled } from "./settle.js";

// With IBCC_TRACE_HANDLES set, each open handle remembers the stack that made
// it, so a leak found in a test names its origin.
const trace = !!process.env.IBCC_TRACE_HANDLES;
const origins = new Map<number, string>();

const dropped = new FinalizationRegistry<Set<number>>((handles) => {
  for (const h of [...handles].reverse()) {
    binding.release(h);
    origins.delete(h);
  }
  handles.clear();
});

/** Where each handle still open was made (empty unless IBCC_TRACE_HANDLES is set). */
export function openHandleOrigins(): string[] {
  return [...origins.values()];
}

export abstract class Owned {
  #children = new Set<Owned>();
  #closed = false;
  protected readonly handles: Set<number>;

  constructor(readonly parent: Owned | undefined) {
    this.handles = parent ? parent.handles : new Set<number>();
    if (parent) parent.#children.add(this);
    else dropped.register(this, this.handles, this);
  }

  get closed(): boolean {
    return this.#closed || (this.parent?.closed ?? false);
  }

  /** See Module.settled: this object's closes, and every one before them, done in the kernel. */
  get settled(): Promise<void> {
    return settled();
  }

  /** Records a native handle of this object's tree. */
  protected own(handle: number): number {
    this.handles.add(handle);
    if (trace) origins.set(handle, new Error("handle " + handle).stack ?? "");
    return handle;
  }

  /** Releases one native handle now. */
  protected releaseHandle(handle: number): void {
    if (this.handles.delete(handle)) binding.release(handle);
    origins.delete(handle);
  }

  /** Frees this object's own native resources; its children are closed already. */
  protected abstract free(): void;

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const child of [...this.#children].reverse()) child.close();
    this.#children.clear();
    this.free();
    if (this.parent) this.parent.#children.delete(this);
    else dropped.unregister(this);
  }
}
