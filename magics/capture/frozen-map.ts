/**
 * A BpfMap over one read's keys and values held in memory: what a snapshot
 * and a replayed read answer from. Reads see that moment; writes are refused,
 * since nothing in the kernel would take them.
 */
import type { BpfMap } from "../../native/types.js";

export type MapShape = Pick<BpfMap, "name" | "type" | "keySize" | "valueSize" | "maxEntries" | "perCpu" | "possibleCpus" | "keyDesc" | "valueDesc" | "eventFields">;
export interface Read {
  keys: Buffer;
  values: Buffer;
  count: number;
}

const round8 = (n: number) => (n + 7) & ~7;

export class FrozenMap implements BpfMap {
  readonly fd = -1;
  readonly typeId = 0;
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly perCpu: boolean;
  readonly possibleCpus: number;
  readonly keyDesc: unknown;
  readonly valueDesc: unknown;
  readonly eventFields: string[];
  private index?: Map<string, number>;

  constructor(
    shape: MapShape,
    /** The read served; a function for replay, which moves on at every readAll(). */
    private readonly source: () => Read,
    private readonly why = "it is a snapshot",
    private readonly current: () => Read = source,
  ) {
    this.name = shape.name;
    this.type = shape.type;
    this.keySize = shape.keySize;
    this.valueSize = shape.valueSize;
    this.maxEntries = shape.maxEntries;
    this.perCpu = shape.perCpu;
    this.possibleCpus = shape.possibleCpus;
    this.keyDesc = shape.keyDesc;
    this.valueDesc = shape.valueDesc;
    this.eventFields = shape.eventFields ?? [];
  }

  private get stride(): number {
    return this.perCpu ? this.possibleCpus * round8(this.valueSize) : this.valueSize;
  }

  private find(key: Buffer): number | undefined {
    const r = this.current();
    if (!this.index || (this.index as unknown as { read?: Read }).read !== r) {
      const index = new Map<string, number>();
      for (let i = 0; i < r.count; i++) index.set(r.keys.toString("latin1", i * this.keySize, (i + 1) * this.keySize), i);
      (index as unknown as { read?: Read }).read = r;
      this.index = index;
    }
    return this.index.get(key.toString("latin1"));
  }

  lookup(key: Buffer): Buffer | undefined {
    const i = this.find(key);
    if (i === undefined) return undefined;
    return Buffer.from(this.current().values.subarray(i * this.stride, (i + 1) * this.stride));
  }
  update(): void {
    throw new Error(`${this.name} cannot be written: ${this.why}`);
  }
  delete(): boolean {
    throw new Error(`${this.name} cannot be written: ${this.why}`);
  }
  nextKey(key?: Buffer): Buffer | undefined {
    const r = this.current();
    const i = key === undefined ? 0 : (this.find(key) ?? r.count) + 1;
    return i < r.count ? Buffer.from(r.keys.subarray(i * this.keySize, (i + 1) * this.keySize)) : undefined;
  }
  keys(): Buffer {
    const r = this.current();
    return Buffer.from(r.keys.subarray(0, r.count * this.keySize));
  }
  readAll(): Read {
    const r = this.source();
    return { keys: Buffer.from(r.keys), values: Buffer.from(r.values), count: r.count };
  }
  /** Nothing to clear: a later replayed read shows what the recording read after its clear. */
  clear(): void {}
  /** A read that cleared, replayed: the next read as recorded (clearing is the recording's). */
  takeAll(): Read & { atomic: boolean } {
    return { ...this.readAll(), atomic: true };
  }
  push(): void {
    throw new Error(`${this.name} cannot be written: ${this.why}`);
  }
  pop(): Buffer | undefined {
    throw new Error(`${this.name} cannot be written: ${this.why}`);
  }
  peek(): Buffer | undefined {
    throw new Error(`${this.name} is a queue or stack, which a recording does not keep`);
  }
}
