/**
 * A small comm registry. The kernel opens no comms of its own; a target is
 * registered by name and an open for any other target is answered with
 * comm_close, as ipykernel does, so front ends do not wait on a dead comm.
 */
import type { Content } from "./message.js";

export interface CommTarget {
  onOpen(commId: string, data: unknown): void;
  onMessage?(commId: string, data: unknown): void;
  onClose?(commId: string, data: unknown): void;
}

export class CommRegistry {
  private readonly targets = new Map<string, CommTarget>();
  private readonly open = new Map<string, string>();

  register(targetName: string, target: CommTarget): void {
    this.targets.set(targetName, target);
  }

  /** Returns false when the target is unknown and the comm must be closed. */
  openComm(commId: string, targetName: string, data: unknown): boolean {
    const target = this.targets.get(targetName);
    if (!target) return false;
    this.open.set(commId, targetName);
    target.onOpen(commId, data);
    return true;
  }

  message(commId: string, data: unknown): boolean {
    const target = this.targetOf(commId);
    if (!target) return false;
    target.onMessage?.(commId, data);
    return true;
  }

  close(commId: string, data: unknown): void {
    const target = this.targetOf(commId);
    this.open.delete(commId);
    target?.onClose?.(commId, data);
  }

  info(targetName?: string): Record<string, Content> {
    const comms: Record<string, Content> = {};
    for (const [id, name] of this.open) {
      if (targetName === undefined || targetName === name) comms[id] = { target_name: name };
    }
    return comms;
  }

  private targetOf(commId: string): CommTarget | undefined {
    const name = this.open.get(commId);
    return name === undefined ? undefined : this.targets.get(name);
  }
}
