/**
 * A decoded view over a raw BpfMap: keys and values as JS values through codecs
 * made from BCC's type descriptions. Sizes are checked once, when the view is
 * made; every error names the map and the operation. The Table cells use
 * (magics/table.ts) reads and writes through one of these.
 */
import { Codec, compileCodec, decodePerCpu, encodePerCpu, intCodec, rawCodec, round8, type Column } from "./codec.js";
import { BpfError, type BpfMap } from "./types.js";
import { isScalarColumn, lazyRows } from "./lazy-rows.js";

export interface TypedMapOptions<K, V> {
  /** A codec or a BCC type description for keys (default: the map's own description). */
  key?: Codec<K> | unknown;
  /** For per-CPU maps, the codec of one CPU's value. */
  value?: Codec<unknown> | unknown;
}

/**
 * A whole map as columns. Integer and float keys and values are typed arrays
 * (BigUint64Array for u64, Uint32Array for u32, ...), structs objects of such
 * columns, other types arrays of decoded values. A dense scalar column is a
 * view of the memory the kernel's batched lookup wrote into, not a copy: it
 * belongs to this result alone (every read makes new memory), and writing to
 * it changes nothing in the map.
 */
export interface ColumnarEntries {
  count: number;
  keys: Column;
  /** One value per key; for per-CPU integer maps, the sum over CPUs. */
  values: Column;
  /**
   * Per-CPU maps: every CPU's value, entry-major (entry i, CPU c at
   * i * cpus + c), as the kernel lays them out; a view for 8-byte values.
   */
  cpuValues?: Column;
  cpus?: number;
}

/**
 * The codec of a side without a usable description: a plain integer for 1, 2,
 * 4 or 8 bytes (BCC leaves scalar keys and values of some maps undescribed),
 * else the raw bytes.
 */
export function fallbackCodec(size: number): Codec<unknown> {
  if (size === 1 || size === 2 || size === 4 || size === 8) return intCodec(size) as Codec<unknown>;
  return rawCodec(size) as Codec<unknown>;
}

/** A codec from BCC's description of one side of a map, else fallbackCodec(size). */
export function mapCodec(desc: unknown, size: number): Codec<unknown> {
  if (desc !== undefined && desc !== null) {
    try {
      return compileCodec(desc, size);
    } catch {
      // an unusable description: the map still works
    }
  }
  return fallbackCodec(size);
}

/** The failure of one operation on one map, with the cause kept. */
export class TableError extends Error {
  override name = "TableError";
  constructor(
    message: string,
    readonly map: string,
    readonly op: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/**
 * K and V are the decoded types; for a per-CPU map V is the array of per-CPU values
 * (get returns one element per possible CPU).
 */
export class TypedMap<K = unknown, V = unknown> implements Iterable<[K, V]> {
  readonly key: Codec<K>;
  /** For per-CPU maps: one CPU's value. */
  readonly value: Codec<unknown>;
  /** Descriptions that could not be used, and what was used instead. */
  readonly warnings: string[] = [];
  private readonly valueStride: number;

  constructor(
    readonly map: BpfMap,
    opts: TypedMapOptions<K, V> = {},
  ) {
    this.key = this.codecFor("key", opts.key ?? map.keyDesc, map.keySize, opts.key !== undefined) as Codec<K>;
    this.value = this.codecFor("value", opts.value ?? map.valueDesc, map.valueSize, opts.value !== undefined);
    this.valueStride = map.perCpu ? map.possibleCpus * round8(map.valueSize) : map.valueSize;
  }

  private codecFor(side: "key" | "value", given: unknown, size: number, explicit: boolean): Codec<unknown> {
    if (given instanceof Codec) {
      if (given.size !== size)
        throw new TableError(`map ${this.map.name}: the ${side} codec is ${given.size} bytes but the map's ${side}s are ${size}`, this.map.name, "typed_view");
      return given;
    }
    const fallback = (why: string): Codec<unknown> => {
      const c = fallbackCodec(size);
      this.warnings.push(`${why}; ${side}s are ${c.node.kind === "int" ? "plain integers" : "raw Buffers"} of ${size} bytes`);
      return c;
    };
    if (given === undefined || given === null) return size > 0 ? fallback(`${side}: no type description`) : rawCodec(0);
    try {
      const c = compileCodec(given, size);
      if (c.note) this.warnings.push(`${side}: ${c.note}`);
      return c;
    } catch (e) {
      if (explicit) throw this.fail("typed_view", e);
      // A description that cannot be laid out to the map's size (several arrays that may have
      // lost a dimension, say): the map still works, with its bytes as they are.
      return fallback(`${side}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  get name(): string {
    return this.map.name;
  }

  get perCpu(): boolean {
    return this.map.perCpu;
  }

  /** TypeScript text of this view's type, e.g. `TypedMap<{ pid: number; comm: string }, bigint>`. */
  get tsType(): string {
    const v = this.perCpu ? `Array<${this.value.tsType}>` : this.value.tsType;
    return `TypedMap<${this.key.tsType}, ${v}>`;
  }

  get(k: K): V | undefined {
    const raw = this.run("get", () => this.map.lookup(this.encodeKey(k, "get")));
    return raw === undefined ? undefined : this.decodeValue(raw, 0);
  }

  has(k: K): boolean {
    return this.run("has", () => this.map.lookup(this.encodeKey(k, "has"))) !== undefined;
  }

  /**
   * flags: 0 any, 1 only if absent, 2 only if present. Per-CPU maps take one
   * value per CPU, or one value for every CPU.
   */
  set(k: K, v: V | (V extends Array<infer E> ? E : never), flags = 0): this {
    const key = this.encodeKey(k, "set");
    const value = this.run("set", () => (this.perCpu ? encodePerCpu(this.value, v as unknown, this.map.possibleCpus) : this.value.encode(v)));
    this.run("set", () => this.map.update(key, value, flags));
    return this;
  }

  /** false when the key was not there. */
  delete(k: K): boolean {
    return this.run("delete", () => this.map.delete(this.encodeKey(k, "delete")));
  }

  /** Removes every entry (arrays: zeroes every value). */
  clear(): void {
    this.run("clear", () => this.map.clear());
  }

  /** The number of keys (for arrays, max_entries). */
  get size(): number {
    if (this.map.keySize === 0) return 0;
    return this.run("size", () => this.map.keys().length / this.map.keySize);
  }

  keys(): K[] {
    const buf = this.run("keys", () => this.map.keys());
    return this.run("keys", () => this.key.decodeMany(buf, buf.length / this.key.size));
  }

  values(): V[] {
    return this.entries().map((e) => e[1]);
  }

  /** Every entry, read in batches; scalar keys and values are rows made on first touch (lazy-rows.ts), others decoded in one pass. */
  entries(): [K, V][] {
    const read = this.run("entries", () => this.map.readAll());
    const { keys, values, count } = read;
    return this.run("entries", () => scalarRows<K, V>(this.map, this.key, this.value, read) ?? this.decodeEntries(keys, values, count));
  }

  /** Every entry as columns: BigUint64Array keys and values for a u64 -> u64 map, say. */
  entriesColumnar(): ColumnarEntries {
    const read = this.run("entries", () => this.map.readAll());
    return this.run("entries", () => columnsOf(this.map, this.key, this.value, read));
  }

  /**
   * Every entry, read and removed in one step (BPF_MAP_LOOKUP_AND_DELETE_BATCH
   * where the kernel has it; see BpfMap.takeAll); arrays are read, then zeroed.
   */
  entriesAndClear(): [K, V][] {
    const { keys, values, count } = this.run("entries_and_clear", () => this.map.takeAll());
    return this.run("entries_and_clear", () => this.decodeEntries(keys, values, count));
  }

  /** Queue and stack maps: adds a value; flags 2 (BPF_EXIST) pushes out the oldest when full. */
  push(v: V, flags = 0): void {
    const value = this.run("push", () => this.value.encode(v));
    this.run("push", () => this.map.push(value, flags));
  }

  /** Queue and stack maps: the next value, removed; undefined when empty. */
  pop(): V | undefined {
    const raw = this.run("pop", () => this.map.pop());
    return raw === undefined ? undefined : (this.run("pop", () => this.value.decode(raw, 0)) as V);
  }

  /** Queue and stack maps: the next value, left in place; undefined when empty. */
  peek(): V | undefined {
    const raw = this.run("peek", () => this.map.peek());
    return raw === undefined ? undefined : (this.run("peek", () => this.value.decode(raw, 0)) as V);
  }

  /** Per-CPU integer maps: the value summed over every CPU (0 when the key is absent). */
  sum(k: K): V extends Array<infer E> ? E : never {
    if (!this.perCpu || !this.value.isInteger)
      throw new TableError(`sum ${this.name}: only per-CPU maps of integers can be summed (this is a ${this.map.type} map of ${this.value.tsType})`, this.name, "sum");
    const per = (this.get(k) ?? []) as unknown as (number | bigint)[];
    return sumOf(per, this.value.tsType === "bigint") as V extends Array<infer E> ? E : never;
  }

  [Symbol.iterator](): Iterator<[K, V]> {
    return this.entries()[Symbol.iterator]();
  }

  private decodeEntries(keys: Buffer, values: Buffer, count: number): [K, V][] {
    if (!this.perCpu) return this.key.decodeEntries(keys, values, count, this.value) as [K, V][];
    const ks = this.key.decodeMany(keys, count);
    const out = new Array<[K, V]>(count);
    for (let i = 0; i < count; i++) out[i] = [ks[i], this.decodeValue(values, i * this.valueStride)];
    return out;
  }

  private decodeValue(buf: Buffer, offset: number): V {
    return (this.perCpu ? decodePerCpu(this.value, buf, this.map.possibleCpus, offset) : this.value.decode(buf, offset)) as V;
  }

  private encodeKey(k: K, op: string): Buffer {
    return this.run(op, () => this.key.encode(k));
  }

  private run<T>(op: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw this.fail(op, e);
    }
  }

  private fail(op: string, e: unknown): Error {
    if (e instanceof TableError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    // An error that already names the map (the native layer's "map_update counts: ...",
    // a snapshot's "counts cannot be written: ...") is passed on as it is.
    if (e instanceof Error && namesMap(msg, this.name)) return e;
    // Keep the kernel's code and errno for callers that branch on them; add the map and the operation.
    if (e instanceof BpfError) return new BpfError(`${op} ${this.name}: ${msg}`, e.code, e.errno, e.op);
    return new TableError(`${op} ${this.name}: ${msg}`, this.name, op, e);
  }
}

/** Whether a message names the map as a word of its own ("set counts: ...", "counts cannot ..."). */
function namesMap(message: string, name: string): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[\\s(])${n}([\\s:.,)]|$)`).test(message);
}

/**
 * A map's readAll() as columns, with the codecs of its keys and (for per-CPU
 * maps, one CPU's) values. readAll's Buffers are fresh for every read and start
 * at offset 0 of their memory, so dense columns are views of them.
 */
export function columnsOf(
  map: BpfMap,
  key: Codec<unknown>,
  value: Codec<unknown>,
  read: { keys: Buffer; values: Buffer; count: number },
): ColumnarEntries {
  const { keys, values, count } = read;
  const keyCol = key.columns(keys, count, key.size, 0, true);
  if (!map.perCpu) return { count, keys: keyCol, values: value.columns(values, count, value.size, 0, true) };
  const cpus = map.possibleCpus;
  const cpuValues = value.columns(values, count * cpus, round8(value.size), 0, true);
  return { count, keys: keyCol, values: value.isInteger ? sumColumns(cpuValues, count, cpus) : cpuValues, cpuValues, cpus };
}

/**
 * A read's entries as lazily made rows when keys and values are plain
 * integers or floats of a map that is not per-CPU; undefined otherwise.
 */
export function scalarRows<K, V>(
  map: BpfMap,
  key: Codec<unknown>,
  value: Codec<unknown>,
  read: { keys: Buffer; values: Buffer; count: number },
): [K, V][] | undefined {
  const scalar = (c: Codec<unknown>): boolean => (c.node.kind === "int" || c.node.kind === "float") && [1, 2, 4, 8].includes(c.size);
  if (map.perCpu || !scalar(key) || !scalar(value)) return undefined;
  const cols = columnsOf(map, key, value, read);
  if (!isScalarColumn(cols.keys) || !isScalarColumn(cols.values)) return undefined;
  return lazyRows<K, V>(cols.keys, cols.values, cols.count);
}

function sumOf(values: (number | bigint)[], big: boolean): number | bigint {
  if (big) return values.reduce<bigint>((a, b) => a + BigInt(b), 0n);
  return values.reduce<number>((a, b) => a + Number(b), 0);
}

function sumColumns(col: Column, count: number, cpus: number): Column {
  if (col instanceof BigUint64Array || col instanceof BigInt64Array) {
    const out = col instanceof BigUint64Array ? new BigUint64Array(count) : new BigInt64Array(count);
    for (let i = 0; i < count; i++) {
      let s = 0n;
      for (let c = 0; c < cpus; c++) s += col[i * cpus + c];
      out[i] = s;
    }
    return out;
  }
  const src = col as ArrayLike<number>;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let c = 0; c < cpus; c++) s += src[i * cpus + c];
    out[i] = s;
  }
  return out;
}

/** The typed view of a map, from its own descriptions. */
export function typedMap<K = unknown, V = unknown>(map: BpfMap, opts?: TypedMapOptions<K, V>): TypedMap<K, V> {
  return new TypedMap<K, V>(map, opts);
}
