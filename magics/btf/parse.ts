/**
 * A reader of BTF, the kernel's own type information
 * (/sys/kernel/btf/vmlinux): header, type section and string section, per
 * the layout in linux/btf.h. Only what resolving struct fields needs is
 * kept: names, kinds, sizes, referenced types, members and array shapes.
 */
import { readFileSync } from "node:fs";

export const BTF_MAGIC = 0xeb9f;

export enum Kind {
  Void = 0,
  Int = 1,
  Ptr = 2,
  Array = 3,
  Struct = 4,
  Union = 5,
  Enum = 6,
  Fwd = 7,
  Typedef = 8,
  Volatile = 9,
  Const = 10,
  Restrict = 11,
  Func = 12,
  FuncProto = 13,
  Var = 14,
  Datasec = 15,
  Float = 16,
  DeclTag = 17,
  TypeTag = 18,
  Enum64 = 19,
}

export interface Member {
  name: string;
  type: number;
  /** Offset from the start of the struct, in bits. */
  bitOffset: number;
  /** Bitfield width in bits; 0 for an ordinary member. */
  bitSize: number;
}

export interface BtfType {
  id: number;
  kind: Kind;
  name: string;
  /** Byte size for int, struct, union, enum, float; else 0. */
  size: number;
  /** Referenced type for ptr, typedef, modifiers, func, var. */
  type: number;
  /** Int: whether it is signed (BTF_INT_SIGNED). Enum: kind_flag says signed. */
  signed: boolean;
  members?: Member[];
  array?: { type: number; nelems: number };
}

export class BtfFormatError extends Error {
  override name = "BtfFormatError";
}

export class Btf {
  /** Index = type id; id 0 is void. */
  readonly types: BtfType[];
  private byName?: Map<string, number[]>;

  constructor(types: BtfType[]) {
    this.types = types;
  }

  get(id: number): BtfType {
    const t = this.types[id];
    if (!t) throw new BtfFormatError(`BTF type id ${id} out of range`);
    return t;
  }

  /** Every type id with this name (a struct and a typedef may share one). */
  named(name: string): BtfType[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const t of this.types) {
        if (!t.name) continue;
        const list = this.byName.get(t.name);
        if (list) list.push(t.id);
        else this.byName.set(t.name, [t.id]);
      }
    }
    return (this.byName.get(name) ?? []).map((id) => this.types[id]);
  }

  /** Follows typedefs and const/volatile/restrict/type tags to the type underneath. */
  strip(id: number): BtfType {
    let t = this.get(id);
    for (let guard = 0; guard < 64; guard++) {
      if (t.kind === Kind.Typedef || t.kind === Kind.Volatile || t.kind === Kind.Const || t.kind === Kind.Restrict || t.kind === Kind.TypeTag)
        t = this.get(t.type);
      else return t;
    }
    throw new BtfFormatError(`BTF type ${id}: modifier chain too long`);
  }

  /** Byte size of a type (pointers are 8 on the 64-bit kernels BPF runs on). */
  sizeOf(id: number): number {
    const t = this.strip(id);
    switch (t.kind) {
      case Kind.Ptr:
        return 8;
      case Kind.Array:
        return t.array!.nelems * this.sizeOf(t.array!.type);
      case Kind.Void:
      case Kind.Func:
      case Kind.FuncProto:
      case Kind.Fwd:
        return 0;
      default:
        return t.size;
    }
  }
}

export function parseBtf(buf: Buffer): Btf {
  if (buf.length < 24) throw new BtfFormatError("BTF data shorter than its header");
  const magic = buf.readUInt16LE(0);
  if (magic !== BTF_MAGIC) throw new BtfFormatError(`bad BTF magic 0x${magic.toString(16)} (big-endian BTF is not supported)`);
  const hdrLen = buf.readUInt32LE(4);
  const typeOff = hdrLen + buf.readUInt32LE(8);
  const typeLen = buf.readUInt32LE(12);
  const strOff = hdrLen + buf.readUInt32LE(16);
  const strLen = buf.readUInt32LE(20);
  if (typeOff + typeLen > buf.length || strOff + strLen > buf.length) throw new BtfFormatError("BTF sections run past the end of the data");

  const strCache = new Map<number, string>();
  const str = (off: number): string => {
    if (off === 0) return "";
    let s = strCache.get(off);
    if (s === undefined) {
      const start = strOff + off;
      const end = buf.indexOf(0, start);
      s = buf.toString("latin1", start, end < 0 || end > strOff + strLen ? strOff + strLen : end);
      strCache.set(off, s);
    }
    return s;
  };

  const types: BtfType[] = [{ id: 0, kind: Kind.Void, name: "void", size: 0, type: 0, signed: false }];
  let p = typeOff;
  const end = typeOff + typeLen;
  while (p < end) {
    const nameOff = buf.readUInt32LE(p);
    const info = buf.readUInt32LE(p + 4);
    const sizeOrType = buf.readUInt32LE(p + 8);
    p += 12;
    const vlen = info & 0xffff;
    const kind = ((info >>> 24) & 0x1f) as Kind;
    const kindFlag = info >>> 31 === 1;
    const t: BtfType = { id: types.length, kind, name: str(nameOff), size: 0, type: 0, signed: false };
    switch (kind) {
      case Kind.Int: {
        const enc = buf.readUInt32LE(p);
        p += 4;
        t.size = sizeOrType;
        t.signed = ((enc >>> 24) & 0x1) === 1;
        break;
      }
      case Kind.Array:
        t.array = { type: buf.readUInt32LE(p), nelems: buf.readUInt32LE(p + 8) };
        p += 12;
        break;
      case Kind.Struct:
      case Kind.Union:
        t.size = sizeOrType;
        t.members = [];
        for (let i = 0; i < vlen; i++, p += 12) {
          const off = buf.readUInt32LE(p + 8);
          t.members.push({
            name: str(buf.readUInt32LE(p)),
            type: buf.readUInt32LE(p + 4),
            bitOffset: kindFlag ? off & 0xffffff : off,
            bitSize: kindFlag ? off >>> 24 : 0,
          });
        }
        break;
      case Kind.Enum:
        t.size = sizeOrType;
        t.signed = kindFlag;
        p += 8 * vlen;
        break;
      case Kind.Enum64:
        t.size = sizeOrType;
        t.signed = kindFlag;
        p += 12 * vlen;
        break;
      case Kind.FuncProto:
        t.type = sizeOrType;
        p += 8 * vlen;
        break;
      case Kind.Var:
        t.type = sizeOrType;
        p += 4;
        break;
      case Kind.Datasec:
        t.size = sizeOrType;
        p += 12 * vlen;
        break;
      case Kind.DeclTag:
        t.type = sizeOrType;
        p += 4;
        break;
      case Kind.Float:
        t.size = sizeOrType;
        break;
      case Kind.Ptr:
      case Kind.Fwd:
      case Kind.Typedef:
      case Kind.Volatile:
      case Kind.Const:
      case Kind.Restrict:
      case Kind.Func:
      case Kind.TypeTag:
        t.type = sizeOrType;
        break;
      default:
        throw new BtfFormatError(`unknown BTF kind ${kind} at type id ${t.id}`);
    }
    types.push(t);
  }
  return new Btf(types);
}

export const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";

let cached: Btf | undefined;

/** The running kernel's BTF, parsed once. */
export function kernelBtf(path = VMLINUX_BTF): Btf {
  if (path !== VMLINUX_BTF) return parseBtf(readFileSync(path));
  cached ??= parseBtf(readFileSync(path));
  return cached;
}
