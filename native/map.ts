/** A map of a Module: element access by raw bytes, sizes checked on the way in. */
import { binding, type TableInfo } from "./binding.js";
import { closedError, native } from "./native-error.js";
import type { Owned } from "./owner.js";
import { mapTypeName } from "./prog-types.js";
import { BpfError, type BpfMap } from "./types.js";

// Map types BPF_MAP_LOOKUP_BATCH serves (Linux 5.6+).
const BATCHED = new Set(["hash", "percpu_hash", "lru_hash", "lru_percpu_hash", "array", "percpu_array"]);
// Map types whose keys always exist: clearing them means zeroing the values.
const ZEROED = new Set(["array", "percpu_array", "cgroup_array"]);
const KEYLESS = new Set(["ringbuf", "user_ringbuf", "bloom_filter", "queue", "stack"]);

function parseDesc(desc: string | null): unknown {
  if (desc === null || desc === "") return undefined;
  try {
    return JSON.parse(desc);
  } catch {
    return desc;
  }
}

/**
 * The addon reads into space for every entry the map can hold. Mostly full: a
 * view, no copy; mostly empty: a copy, so a few entries do not keep the space
 * for millions alive. Either way the Buffer starts at offset 0 of its memory,
 * so typed-array views of it line up.
 */
function trim(buf: Buffer, length: number): Buffer {
  if (buf.length === length) return buf;
  if (length * 2 >= buf.length) return buf.subarray(0, length);
  const copy = Buffer.allocUnsafeSlow(length);
  buf.copy(copy, 0, 0, length);
  return copy;
}

export class BpfMapImpl implements BpfMap {
  readonly name: string;
  readonly fd: number;
  readonly type: string;
  readonly typeId: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly perCpu: boolean;
  readonly possibleCpus: number;
  readonly keyDesc: unknown;
  readonly valueDesc: unknown;
  readonly flags: number;
  /** Bytes of one value as the kernel hands it over (all CPUs' slots for per-CPU maps). */
  readonly valueLength: number;

  constructor(readonly owner: Owned, t: TableInfo) {
    this.name = t.name;
    this.fd = t.fd;
    this.typeId = t.type;
    this.type = mapTypeName(t.type);
    this.keySize = t.keySize;
    this.valueSize = t.valueSize;
    this.maxEntries = t.maxEntries;
    this.flags = t.flags;
    this.perCpu = this.type.includes("percpu");
    this.possibleCpus = binding.possibleCpus;
    this.valueLength = this.perCpu ? this.possibleCpus * Math.ceil(this.valueSize / 8) * 8 : this.valueSize;
    this.keyDesc = parseDesc(t.keyDesc);
    this.valueDesc = parseDesc(t.valueDesc);
  }

  #check(op: string, key?: Buffer, value?: Buffer): void {
    if (this.owner.closed) throw closedError(`the map ${this.name}`, op);
    if (key && key.length !== this.keySize)
      throw new BpfError(`${op} ${this.name}: the key is ${key.length} bytes, the map's keys are ${this.keySize}`, "EINVAL", 22, op);
    if (value && value.length !== this.valueLength)
      throw new BpfError(`${op} ${this.name}: the value is ${value.length} bytes, the map's values are ${this.valueLength}`, "EINVAL", 22, op);
  }

  #keyless(op: string): void {
    if (KEYLESS.has(this.type))
      throw new BpfError(`${op} ${this.name}: a ${this.type} map has no keys to walk`, "EINVAL", 22, op);
  }

  lookup(key: Buffer): Buffer | undefined {
    this.#check("map_lookup", key);
    return native(() => binding.mapLookup(this.fd, key, this.valueLength));
  }

  update(key: Buffer, value: Buffer, flags = 0): void {
    this.#check("map_update", key, value);
    native(() => binding.mapUpdate(this.fd, key, value, flags));
  }

  delete(key: Buffer): boolean {
    this.#check("map_delete", key);
    return native(() => binding.mapDelete(this.fd, key));
  }

  nextKey(key?: Buffer): Buffer | undefined {
    this.#check("map_get_next_key", key);
    this.#keyless("map_get_next_key");
    return native(() => binding.mapNextKey(this.fd, key ?? null, this.keySize));
  }

  keys(): Buffer {
    this.#check("map_keys");
    this.#keyless("map_keys");
    return native(() => binding.mapKeys(this.fd, this.keySize));
  }

  #eventFields?: string[];
  get eventFields(): string[] {
    if (this.#eventFields) return this.#eventFields;
    const handle = (this.owner as { handle?: unknown }).handle;
    if (typeof handle !== "number") return [];
    if (this.owner.closed) throw closedError(`the map ${this.name}`, "event_fields");
    this.#eventFields = binding.perfEventFields(handle, this.name);
    return this.#eventFields;
  }

  readAll(): { keys: Buffer; values: Buffer; count: number } {
    this.#check("map_read_all");
    this.#keyless("map_read_all");
    const r = native(() =>
      binding.mapReadAll(this.fd, this.keySize, this.valueLength, this.maxEntries, BATCHED.has(this.type)));
    return { keys: trim(r.keys, r.count * this.keySize), values: trim(r.values, r.count * this.valueLength), count: r.count };
  }

  takeAll(): { keys: Buffer; values: Buffer; count: number; atomic: boolean } {
    this.#check("map_take_all");
    this.#keyless("map_take_all");
    if (ZEROED.has(this.type)) {
      // An array's slots cannot be deleted: read, then zero.
      const r = this.readAll();
      this.clear();
      return { ...r, atomic: false };
    }
    const r = native(() =>
      binding.mapTakeAll(this.fd, this.keySize, this.valueLength, this.maxEntries, BATCHED.has(this.type)));
    return { keys: trim(r.keys, r.count * this.keySize), values: trim(r.values, r.count * this.valueLength), count: r.count, atomic: r.atomic };
  }

  #queue(op: string): void {
    if (this.owner.closed) throw closedError(`the map ${this.name}`, op);
    if (this.type !== "queue" && this.type !== "stack")
      throw new BpfError(`${op} ${this.name}: a ${this.type} map is not a queue or a stack`, "EINVAL", 22, op);
  }

  push(value: Buffer, flags = 0): void {
    this.#queue("map_push");
    this.#check("map_push", undefined, value);
    native(() => binding.mapPush(this.fd, value, flags));
  }

  pop(): Buffer | undefined {
    this.#queue("map_pop");
    return native(() => binding.mapPop(this.fd, this.valueLength));
  }

  peek(): Buffer | undefined {
    this.#queue("map_peek");
    return native(() => binding.mapPeek(this.fd, this.valueLength));
  }

  clear(): void {
    this.#check("map_clear");
    this.#keyless("map_clear");
    native(() => binding.mapClear(this.fd, this.keySize, this.valueLength, this.maxEntries,
      ZEROED.has(this.type), BATCHED.has(this.type)));
  }
}
