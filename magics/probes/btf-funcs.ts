/**
 * The kernel functions (kfuncs, for fentry/fexit) and raw tracepoints
 * (`btf_trace_NAME` typedefs) the running kernel's BTF describes, with their
 * arguments as C text. A lean pass over /sys/kernel/btf/vmlinux that keeps
 * only each type's offset and decodes types on demand: the full parse of
 * btf/parse.ts builds 100,000+ objects, which listing names does not need.
 */
import { readFileSync } from "node:fs";
import { BTF_MAGIC, Kind, VMLINUX_BTF } from "../btf/parse.js";

export interface BtfArg {
  type: string;
  name: string;
}

class BtfIndex {
  /** Byte offset in `buf` of each type's record; index = type id (0 is void). */
  private readonly offsets: Uint32Array;
  readonly funcs: { name: string; id: number }[] = [];
  readonly rawTracepoints: { name: string; id: number }[] = [];
  private readonly strOff: number;
  private readonly strEnd: number;

  constructor(private readonly buf: Buffer) {
    if (buf.length < 24 || buf.readUInt16LE(0) !== BTF_MAGIC) throw new Error("not little-endian BTF data");
    const hdrLen = buf.readUInt32LE(4);
    const typeOff = hdrLen + buf.readUInt32LE(8);
    const typeEnd = typeOff + buf.readUInt32LE(12);
    this.strOff = hdrLen + buf.readUInt32LE(16);
    this.strEnd = this.strOff + buf.readUInt32LE(20);
    if (typeEnd > buf.length || this.strEnd > buf.length) throw new Error("BTF sections run past the end of the data");
    const offsets: number[] = [0];
    for (let p = typeOff; p < typeEnd; ) {
      offsets.push(p);
      const info = buf.readUInt32LE(p + 4);
      const vlen = info & 0xffff;
      const kind = (info >>> 24) & 0x1f;
      const id = offsets.length - 1;
      if (kind === Kind.Func) this.funcs.push({ name: this.str(buf.readUInt32LE(p)), id });
      else if (kind === Kind.Typedef) {
        const name = this.str(buf.readUInt32LE(p));
        if (name.startsWith("btf_trace_")) this.rawTracepoints.push({ name: name.slice(10), id });
      }
      p += 12 + extra(kind, vlen);
    }
    this.offsets = Uint32Array.from(offsets);
  }

  private str(off: number): string {
    if (off === 0) return "";
    const start = this.strOff + off;
    const end = this.buf.indexOf(0, start);
    return this.buf.toString("latin1", start, end < 0 || end > this.strEnd ? this.strEnd : end);
  }

  private head(id: number): { kind: Kind; name: string; ref: number; vlen: number; at: number } {
    const at = this.offsets[id];
    if (id === 0 || at === undefined) return { kind: Kind.Void, name: "void", ref: 0, vlen: 0, at: 0 };
    const info = this.buf.readUInt32LE(at + 4);
    return { kind: ((info >>> 24) & 0x1f) as Kind, name: this.str(this.buf.readUInt32LE(at)), ref: this.buf.readUInt32LE(at + 8), vlen: info & 0xffff, at };
  }

  /** A type as C text: `struct task_struct *`, `const char *`, `u8[16]`. */
  typeName(id: number, depth = 0): string {
    if (depth > 32) return "?";
    const t = this.head(id);
    switch (t.kind) {
      case Kind.Void:
        return "void";
      case Kind.Int:
      case Kind.Float:
      case Kind.Typedef:
        return t.name;
      case Kind.Struct:
        return `struct ${t.name || "{...}"}`;
      case Kind.Union:
        return `union ${t.name || "{...}"}`;
      case Kind.Enum:
      case Kind.Enum64:
        return `enum ${t.name || "{...}"}`;
      case Kind.Fwd:
        return `${this.buf.readUInt32LE(t.at + 4) >>> 31 ? "union" : "struct"} ${t.name}`;
      case Kind.Ptr: {
        const target = this.head(t.ref);
        if (target.kind === Kind.FuncProto) return "void (*)()";
        const inner = this.typeName(t.ref, depth + 1);
        return inner.endsWith("*") ? `${inner}*` : `${inner} *`;
      }
      case Kind.Const:
        return `const ${this.typeName(t.ref, depth + 1)}`;
      case Kind.Volatile:
        return `volatile ${this.typeName(t.ref, depth + 1)}`;
      case Kind.Restrict:
      case Kind.TypeTag:
        return this.typeName(t.ref, depth + 1);
      case Kind.Array:
        return `${this.typeName(this.buf.readUInt32LE(t.at + 12), depth + 1)}[${this.buf.readUInt32LE(t.at + 20)}]`;
      default:
        return t.name || "?";
    }
  }

  /** The parameters of a function prototype, given a Func, a FuncProto or a typedef of a pointer to one. */
  params(id: number): { args: BtfArg[]; ret: string } | undefined {
    let t = this.head(id);
    for (let guard = 0; guard < 8 && t.kind !== Kind.FuncProto; guard++) {
      if (t.kind === Kind.Func || t.kind === Kind.Typedef || t.kind === Kind.Ptr || t.kind === Kind.Const) t = this.head(t.ref);
      else return undefined;
    }
    if (t.kind !== Kind.FuncProto) return undefined;
    const args: BtfArg[] = [];
    for (let i = 0; i < t.vlen; i++) {
      const p = t.at + 12 + 8 * i;
      const type = this.buf.readUInt32LE(p + 4);
      // a trailing (void, no name) parameter means "..."
      args.push(type === 0 ? { type: "...", name: "" } : { type: this.typeName(type), name: this.str(this.buf.readUInt32LE(p)) });
    }
    return { args, ret: this.typeName(t.ref) };
  }
}

function extra(kind: number, vlen: number): number {
  switch (kind) {
    case Kind.Int:
    case Kind.Var:
    case Kind.DeclTag:
      return 4;
    case Kind.Array:
      return 12;
    case Kind.Struct:
    case Kind.Union:
    case Kind.Datasec:
    case Kind.Enum64:
      return 12 * vlen;
    case Kind.Enum:
    case Kind.FuncProto:
      return 8 * vlen;
    default:
      return 0;
  }
}

let index: BtfIndex | null | undefined;
let indexError = "";

function btfIndex(): BtfIndex | undefined {
  if (index === undefined) {
    try {
      index = new BtfIndex(readFileSync(VMLINUX_BTF));
    } catch (e) {
      index = null;
      indexError = (e as Error).message;
    }
  }
  return index ?? undefined;
}

/** Why there are no kfuncs or raw tracepoints from BTF, or undefined when BTF was read. */
export function btfUnavailable(): string | undefined {
  return btfIndex() ? undefined : `no kernel BTF (${VMLINUX_BTF}: ${indexError})`;
}

export function kfuncNames(): string[] {
  return btfIndex()?.funcs.map((f) => f.name) ?? [];
}

export function rawTracepointNames(): string[] {
  return btfIndex()?.rawTracepoints.map((f) => f.name) ?? [];
}

let funcIds: Map<string, number> | undefined;
let rawIds: Map<string, number> | undefined;

export function kfuncArgs(name: string): BtfArg[] | undefined {
  const i = btfIndex();
  funcIds ??= new Map(i?.funcs.map((f) => [f.name, f.id]));
  const id = funcIds.get(name);
  return i && id !== undefined ? i.params(id)?.args : undefined;
}

/**
 * A raw tracepoint's TP_PROTO arguments, `void *__data` left out. Named from
 * the kernel's `__bpf_trace_NAME` function where BTF has it: the
 * `btf_trace_NAME` typedef's prototype carries types only.
 */
export function rawTracepointArgs(name: string): BtfArg[] | undefined {
  const i = btfIndex();
  if (!i) return undefined;
  const named = kfuncArgs(`__bpf_trace_${name}`);
  if (named) return named.slice(1);
  rawIds ??= new Map(i.rawTracepoints.map((f) => [f.name, f.id]));
  const id = rawIds.get(name);
  return id !== undefined ? i.params(id)?.args.slice(1).map((a, n) => ({ ...a, name: a.name || `arg${n}` })) : undefined;
}
