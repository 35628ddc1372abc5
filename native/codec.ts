/**
 * Codecs between the bytes of BPF map keys and values and JS values, made from
 * BCC's type descriptions. One Codec is compiled per description and reused:
 *   integers up to 32 bits -> number, 64 and 128 bits -> bigint (never a lossy number),
 *   _Bool -> boolean, float/double -> number, char[N] -> string (up to the first NUL),
 *   other arrays -> arrays, structs and unions -> plain objects (anonymous members
 *   flattened, BCC's "__pad_N" gaps left out), long double -> Buffer.
 * Byte order is the machine's, little endian on every platform BPF runs here.
 */
import { CodecError, arrayOf, bytesNode, parseDesc, restoreLostDims, type Field, type Node } from "./codec-layout.js";
import { generateDecoder, generateEncoder, type DecodeFn, type EncodeFn } from "./codec-gen.js";

export { CodecError } from "./codec-layout.js";
export type { Node as CodecNode } from "./codec-layout.js";

/** One field's values over many records: a typed array for numbers, an object of columns for a struct. */
export type Column =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array
  | unknown[]
  | { [field: string]: Column };

const viewOf = (b: Buffer) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export class Codec<T = unknown> {
  readonly size: number;
  readonly align: number;
  /** TypeScript type text of decoded values, e.g. `{ pid: number; comm: string }`. */
  readonly tsType: string;
  private readonly dec: DecodeFn;
  private readonly enc: EncodeFn;

  constructor(
    readonly node: Node,
    /** The description this codec was made from (undefined for raw byte codecs). */
    readonly description?: unknown,
    /** Set when the layout had to be completed beyond the description (see restoreLostDims). */
    readonly note?: string,
  ) {
    this.size = node.size;
    this.align = node.align;
    this.tsType = tsTypeOf(node);
    this.dec = generateDecoder(node);
    this.enc = generateEncoder(node);
  }

  /** True for a plain integer (the type a histogram or counter map holds). */
  get isInteger(): boolean {
    return this.node.kind === "int";
  }

  decode(buf: Buffer, offset = 0): T {
    if (offset + this.size > buf.length)
      throw new CodecError(`cannot decode ${this.size} bytes at offset ${offset} of a ${buf.length}-byte buffer`);
    return this.dec(buf, viewOf(buf), offset) as T;
  }

  encode(value: T): Buffer {
    const b = Buffer.alloc(this.size);
    this.enc(b, viewOf(b), 0, value);
    return b;
  }

  encodeInto(value: T, buf: Buffer, offset = 0): void {
    if (offset + this.size > buf.length)
      throw new CodecError(`cannot encode ${this.size} bytes at offset ${offset} of a ${buf.length}-byte buffer`);
    this.enc(buf, viewOf(buf), offset, value);
  }

  /** Decodes `count` records laid out every `stride` bytes from `offset`. */
  decodeMany(buf: Buffer, count: number, stride = this.size, offset = 0): T[] {
    checkSpan(buf, count, stride, offset, this.size);
    const dv = viewOf(buf);
    const dec = this.dec;
    const out = new Array<T>(count);
    for (let i = 0, o = offset; i < count; i++, o += stride) out[i] = dec(buf, dv, o) as T;
    return out;
  }

  /**
   * Packed events (a reader's onPacked): record i is bytes offsets[i] to
   * offsets[i + 1] of buf, each at least this codec's size. One view for all.
   */
  decodePacked(buf: Buffer, offsets: Uint32Array): T[] {
    const n = Math.max(0, offsets.length - 1);
    if (n && offsets[n] > buf.length) throw new CodecError(`packed events end at ${offsets[n]}, past a ${buf.length}-byte buffer`);
    const dv = viewOf(buf);
    const dec = this.dec;
    const size = this.size;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      const o = offsets[i];
      if (offsets[i + 1] - o < size) throw new CodecError(`event ${i} is ${offsets[i + 1] - o} bytes, the record is ${size}`);
      out[i] = dec(buf, dv, o) as T;
    }
    return out;
  }

  /**
   * [key, value] pairs in one pass: keys every this.size bytes of keys, values
   * every valueStride bytes of values (no intermediate arrays, which a million
   * entries makes the garbage collector pay for).
   */
  decodeEntries<V>(keys: Buffer, values: Buffer, count: number, value: Codec<V>, valueStride = value.size): [T, V][] {
    checkSpan(keys, count, this.size, 0, this.size);
    checkSpan(values, count, valueStride, 0, value.size);
    const kdv = viewOf(keys), vdv = viewOf(values);
    const kdec = this.dec, vdec = value.dec;
    const ks = this.size;
    const out = new Array<[T, V]>(count);
    for (let i = 0; i < count; i++) out[i] = [kdec(keys, kdv, i * ks) as T, vdec(values, vdv, i * valueStride) as V];
    return out;
  }

  /**
   * The same records as columns: a typed array of the field's width for integers
   * and floats (BigUint64Array for u64), an object of columns for a struct.
   * Columns are copies, unless `share` says buf is the caller's to give away:
   * then a dense, aligned scalar column is a view of buf's own memory (no copy,
   * which is what makes a columnar map read cost no more than the read).
   */
  columns(buf: Buffer, count: number, stride = this.size, offset = 0, share = false): Column {
    checkSpan(buf, count, stride, offset, this.size);
    return column(this.node, buf, viewOf(buf), offset, count, stride, share);
  }
}

function checkSpan(buf: Buffer, count: number, stride: number, offset: number, size: number): void {
  if (count > 0 && offset + (count - 1) * stride + size > buf.length)
    throw new CodecError(`${count} records of ${size} bytes every ${stride} do not fit a ${buf.length}-byte buffer`);
}

type TypedCtor = { new (n: number): Column & ArrayLike<unknown>; new (b: ArrayBuffer, o: number, n: number): Column & { slice(): Column } };

function intArrayCtor(size: number, signed: boolean): TypedCtor {
  const ctors: Record<number, [unknown, unknown]> = {
    1: [Int8Array, Uint8Array],
    2: [Int16Array, Uint16Array],
    4: [Int32Array, Uint32Array],
    8: [BigInt64Array, BigUint64Array],
  };
  return ctors[size][signed ? 0 : 1] as TypedCtor;
}

function column(n: Node, b: Buffer, dv: DataView, base: number, count: number, stride: number, share: boolean): Column {
  if ((n.kind === "int" && n.size <= 8) || n.kind === "float") {
    const Ctor = n.kind === "float" ? ((n.size === 4 ? Float32Array : Float64Array) as unknown as TypedCtor) : intArrayCtor(n.size, n.signed);
    // Dense and aligned: the bytes are the column already (a view, or one copy of them).
    if (stride === n.size && (b.byteOffset + base) % n.size === 0) {
      const view = new Ctor(b.buffer as ArrayBuffer, b.byteOffset + base, count);
      return share ? view : view.slice();
    }
    const out = new Ctor(count) as unknown as Record<number, unknown>;
    const get = readerOf(n);
    for (let i = 0, o = base; i < count; i++, o += stride) out[i] = get(dv, o);
    return out as unknown as Column;
  }
  if (n.kind === "bool") {
    const out = new Uint8Array(count);
    for (let i = 0, o = base; i < count; i++, o += stride) out[i] = b[o] !== 0 ? 1 : 0;
    return out;
  }
  if (n.kind === "struct") {
    const cols: { [field: string]: Column } = {};
    addFieldColumns(n.fields, cols, b, dv, base, count, stride, share);
    return cols;
  }
  const codec = new Codec(n);
  return codec.decodeMany(b, count, stride, base);
}

function addFieldColumns(fields: Field[], cols: { [f: string]: Column }, b: Buffer, dv: DataView, base: number, count: number, stride: number, share: boolean) {
  for (const f of fields) {
    if (f.hidden) continue;
    if (f.anonymous && f.node.kind === "struct") {
      addFieldColumns(f.node.fields, cols, b, dv, base + f.offset, count, stride, share);
      continue;
    }
    if (f.bits !== undefined) {
      const wrapper: Node = { kind: "struct", size: f.offset + f.node.size, align: 1, name: "", union: false, fields: [{ ...f }] };
      cols[f.name] = new Codec(wrapper).decodeMany(b, count, stride, base).map((r) => (r as Record<string, unknown>)[f.name]);
      continue;
    }
    cols[f.name] = column(f.node, b, dv, base + f.offset, count, stride, share);
  }
}

function readerOf(n: Node): (dv: DataView, o: number) => number | bigint {
  if (n.kind === "float") return n.size === 4 ? (dv, o) => dv.getFloat32(o, true) : (dv, o) => dv.getFloat64(o, true);
  if (n.kind !== "int") throw new Error("unreachable");
  switch (n.size) {
    case 1:
      return n.signed ? (dv, o) => dv.getInt8(o) : (dv, o) => dv.getUint8(o);
    case 2:
      return n.signed ? (dv, o) => dv.getInt16(o, true) : (dv, o) => dv.getUint16(o, true);
    case 4:
      return n.signed ? (dv, o) => dv.getInt32(o, true) : (dv, o) => dv.getUint32(o, true);
    default:
      return n.signed ? (dv, o) => dv.getBigInt64(o, true) : (dv, o) => dv.getBigUint64(o, true);
  }
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function tsTypeOf(n: Node): string {
  switch (n.kind) {
    case "int":
      return n.size > 4 ? "bigint" : "number";
    case "bool":
      return "boolean";
    case "float":
      return "number";
    case "bytes":
      return "Buffer";
    case "chars":
      return "string";
    case "array": {
      const e = tsTypeOf(n.elem);
      return /^[A-Za-z_$][\w$]*(\[\])*$/.test(e) ? `${e}[]` : `Array<${e}>`;
    }
    case "struct": {
      const parts = fieldTypes(n.fields);
      return parts.length ? `{ ${parts.join("; ")} }` : "{}";
    }
  }
}

function fieldTypes(fields: Field[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.hidden) continue;
    if (f.anonymous && f.node.kind === "struct") out.push(...fieldTypes(f.node.fields));
    else {
      const t = f.bits !== undefined && f.node.kind === "int" ? (f.node.size > 4 ? "bigint" : "number") : tsTypeOf(f.node);
      out.push(`${IDENT.test(f.name) ? f.name : JSON.stringify(f.name)}: ${t}`);
    }
  }
  return out;
}

const cache = new Map<string, Codec>();

/**
 * The codec for a description (as JSON.parse gives it). With `size`, the size the
 * kernel map really has: BCC describes a top-level array `char[32]` as just "char",
 * so a scalar description whose size divides `size` becomes an array of it. A size
 * that still disagrees throws CodecError.
 */
export function compileCodec<T = unknown>(desc: unknown, size?: number): Codec<T> {
  const key = JSON.stringify(desc) + "/" + (size ?? "");
  let c = cache.get(key);
  if (!c) {
    let node = parseDesc(desc);
    let note: string | undefined;
    if (size !== undefined && node.size !== size) {
      const restored = typeof desc === "string" ? undefined : restoreLostDims(desc, size);
      if (typeof desc === "string" && size > node.size && size % node.size === 0) node = arrayOf(node, size / node.size);
      else if (restored) ({ node, note } = restored);
      else
        throw new CodecError(
          `the type description ${describe(desc)} lays out ${node.size} bytes but the map holds ${size}`,
        );
    }
    c = new Codec(node, desc, note);
    cache.set(key, c);
  }
  return c as Codec<T>;
}

/** A codec that hands the bytes over as they are (for maps without a usable description). */
export function rawCodec(size: number): Codec<Buffer> {
  return new Codec<Buffer>(bytesNode(size));
}

/** A codec for a plain integer of `size` bytes: key and value of stack and histogram maps. */
export function intCodec(size: 1 | 2 | 4 | 8, signed = false): Codec<number | bigint> {
  const names: Record<number, string> = { 1: "unsigned char", 2: "unsigned short", 4: "unsigned int", 8: "unsigned long long" };
  const name = signed ? names[size].replace("unsigned ", "").replace(/^char$/, "signed char") : names[size];
  return compileCodec(name);
}

function describe(desc: unknown): string {
  if (typeof desc === "string") return `"${desc}"`;
  if (Array.isArray(desc) && typeof desc[0] === "string") return `${desc[2] === "union" ? "union" : "struct"} ${desc[0] || "(anonymous)"}`;
  return JSON.stringify(desc);
}

/** Per-CPU map values hold one slot per possible CPU, each rounded up to 8 bytes. */
export const round8 = (n: number) => (n + 7) & ~7;

/** Decodes the per-CPU slots of one value: one element per possible CPU. */
export function decodePerCpu<T>(codec: Codec<T>, buf: Buffer, cpus: number, offset = 0): T[] {
  return codec.decodeMany(buf, cpus, round8(codec.size), offset);
}

/** Encodes one value per CPU (a single value is copied to every CPU). */
export function encodePerCpu<T>(codec: Codec<T>, value: T | T[], cpus: number): Buffer {
  const slot = round8(codec.size);
  const out = Buffer.alloc(slot * cpus);
  const list = Array.isArray(value) && (codec.node.kind !== "array" || Array.isArray(value[0]));
  for (let i = 0; i < cpus; i++) {
    const v = list ? (value as T[])[i] : (value as T);
    if (v !== undefined) codec.encodeInto(v, out, i * slot);
  }
  return out;
}
