/**
 * USDT probes through libbcc's USDT contexts. openUsdt() enables the probes
 * asked for and returns the C that reads their arguments (compile it in front
 * of the program's text: bpf_usdt_readarg calls it) and the locations to
 * attach uprobes to. The contexts stay open until close(): one opened on a pid
 * keeps the probes' semaphores raised in that process.
 */
import { binding, type UsdtLocation } from "./binding.js";
import { asBpfError, closedError } from "./native-error.js";
import { Owned } from "./owner.js";
import type { Attachment, Program } from "./types.js";

export type { UsdtLocation };

export interface UsdtTarget {
  /** A binary or library (path, or a name found on PATH or among libraries); or give pid. */
  binary?: string;
  /** A process: every object it maps is searched for probes. */
  pid?: number;
  /** Needed only when probes of several providers share the name. */
  provider?: string;
  probe: string;
  /** The BPF function that runs at the probe (and whose bpf_usdt_readarg reads its arguments). */
  fn: string;
}

export class UsdtProbes extends Owned {
  constructor(
    readonly handle: number,
    /** C that defines the argument readers: compile it before the program's text. */
    readonly text: string,
    readonly locations: readonly UsdtLocation[],
  ) {
    super(undefined);
    this.own(handle);
  }

  /**
   * Attaches a uprobe at each location enabled for this function, passing the
   * probe's semaphore as the uprobe's reference counter so guarded probes fire.
   */
  attach(program: Program, fn: string): Attachment[] {
    if (this.closed) throw closedError("the USDT probes", "attach_usdt");
    const made: Attachment[] = [];
    try {
      for (const l of this.locations.filter((x) => x.fn === fn))
        made.push(program.attachUprobe(l.path, l.address, { pid: l.pid, refCtrOffset: l.semaphoreOffset }));
    } catch (e) {
      for (const a of made) a.close();
      throw e;
    }
    return made;
  }

  protected free(): void {
    this.releaseHandle(this.handle);
  }
}

export async function openUsdt(targets: UsdtTarget[]): Promise<UsdtProbes> {
  try {
    const r = await binding.openUsdt(targets);
    return new UsdtProbes(r.handle, r.text, r.locations);
  } catch (e) {
    throw asBpfError(e);
  }
}
