/**
 * Turns BCC's JSON type descriptions (bpf_table_key_desc / bpf_table_leaf_desc)
 * into laid-out type nodes: every field with its byte offset, every node with
 * its size and alignment, as clang laid the type out for x86-64 / arm64.
 *
 * The shapes BCC emits (src/cc/json_map_decl_visitor.cc):
 *   "unsigned int"                              a scalar, typedefs already resolved
 *   [name, [field, ...], "struct" | "struct_packed" | "union"]
 * and a field is one of
 *   [fname, type]                               type a scalar or a nested description
 *   [fname, type, [n]]                          array of n
 *   [fname, type, bits]                         bitfield
 *   ["", [field, ...], "union" | "struct"...]   anonymous member, flattened into its parent
 * "struct_packed" means BCC has written every padding gap as a "__pad_N" char
 * array, so fields follow each other; "struct" (used when bitfields rule that out)
 * needs the natural layout computed here.
 */

export type Node =
  | { kind: "int"; size: 1 | 2 | 4 | 8 | 16; align: number; signed: boolean; cname: string }
  | { kind: "bool"; size: 1; align: 1; cname: string }
  | { kind: "float"; size: 4 | 8; align: number; cname: string }
  | { kind: "bytes"; size: number; align: number; cname: string }
  | { kind: "chars"; size: number; align: 1; length: number }
  | { kind: "array"; size: number; align: number; length: number; elem: Node }
  | { kind: "struct"; size: number; align: number; name: string; union: boolean; fields: Field[] };

export interface Field {
  name: string;
  node: Node;
  /** Byte offset in the enclosing struct. */
  offset: number;
  /** Bitfields: the first bit, counted from `offset`, and the width. */
  bitShift?: number;
  bits?: number;
  /** BCC's "__pad_N" / "__pad_end" gaps: kept for layout, left out of values. */
  hidden: boolean;
  /** An unnamed struct or union whose fields appear in the parent's value. */
  anonymous: boolean;
}

export class CodecError extends Error {
  override name = "CodecError";
}

type Scalar = { kind: "int"; size: 1 | 2 | 4 | 8 | 16; signed: boolean } | { kind: "bool" } | { kind: "float"; size: 4 | 8 } | { kind: "bytes"; size: number };

const SCALARS: Record<string, Scalar> = {
  _Bool: { kind: "bool" },
  bool: { kind: "bool" },
  char: { kind: "int", size: 1, signed: true },
  "signed char": { kind: "int", size: 1, signed: true },
  "unsigned char": { kind: "int", size: 1, signed: false },
  wchar_t: { kind: "int", size: 4, signed: true },
  short: { kind: "int", size: 2, signed: true },
  "unsigned short": { kind: "int", size: 2, signed: false },
  int: { kind: "int", size: 4, signed: true },
  "unsigned int": { kind: "int", size: 4, signed: false },
  long: { kind: "int", size: 8, signed: true },
  "unsigned long": { kind: "int", size: 8, signed: false },
  "long long": { kind: "int", size: 8, signed: true },
  "unsigned long long": { kind: "int", size: 8, signed: false },
  __int128: { kind: "int", size: 16, signed: true },
  "unsigned __int128": { kind: "int", size: 16, signed: false },
  float: { kind: "float", size: 4 },
  double: { kind: "float", size: 8 },
  // x87 extended precision has no JS number that holds it exactly: keep the bytes.
  "long double": { kind: "bytes", size: 16 },
};

// Kernel typedefs, for descriptions written by hand rather than by BCC.
for (const bits of [8, 16, 32, 64] as const) {
  const size = (bits / 8) as 1 | 2 | 4 | 8;
  for (const prefix of ["u", "__u", "uint", "s", "__s", "int"]) {
    const signed = prefix.includes("s") || prefix === "int";
    const name = prefix.startsWith("uint") || prefix === "int" ? `${prefix}${bits}_t` : `${prefix}${bits}`;
    SCALARS[name] = { kind: "int", size, signed };
  }
}

function scalar(cname: string): Node {
  const t = cname.trim();
  let s = SCALARS[t];
  if (!s && t.endsWith("*")) s = { kind: "int", size: 8, signed: false };
  if (!s && t.startsWith("enum ")) s = { kind: "int", size: 4, signed: false };
  if (!s) throw new CodecError(`unknown C type "${cname}" in a BCC type description`);
  switch (s.kind) {
    case "int":
      return { kind: "int", size: s.size, align: s.size, signed: s.signed, cname: t };
    case "bool":
      return { kind: "bool", size: 1, align: 1, cname: t };
    case "float":
      return { kind: "float", size: s.size, align: s.size, cname: t };
    case "bytes":
      return { kind: "bytes", size: s.size, align: 16, cname: t };
  }
}

export function arrayOf(elem: Node, length: number): Node {
  if (elem.kind === "int" && elem.size === 1 && elem.cname === "char") return { kind: "chars", size: length, align: 1, length };
  return { kind: "array", size: elem.size * length, align: elem.align, length, elem };
}

export function bytesNode(size: number): Node {
  return { kind: "bytes", size, align: 1, cname: `unsigned char[${size}]` };
}

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

function isStructDesc(d: unknown): d is [string, unknown[], string?] {
  return Array.isArray(d) && typeof d[0] === "string" && Array.isArray(d[1]);
}

/** Parses one description (already JSON.parse'd). */
export function parseDesc(desc: unknown): Node {
  if (typeof desc === "string") return scalar(desc);
  if (!isStructDesc(desc)) throw new CodecError(`cannot read BCC type description ${JSON.stringify(desc)}`);
  const [name, rawFields, kind = "struct"] = desc;
  if (kind !== "struct" && kind !== "struct_packed" && kind !== "union")
    throw new CodecError(`unknown aggregate kind "${kind}" in ${JSON.stringify(desc)}`);
  const union = kind === "union";
  const packed = kind === "struct_packed";
  const fields: Field[] = [];
  let bit = 0; // next free bit (structs)
  let maxAlign = 1;
  let maxSize = 0;
  for (const raw of rawFields) {
    if (!Array.isArray(raw) || typeof raw[0] !== "string")
      throw new CodecError(`cannot read field ${JSON.stringify(raw)} of ${name || "an anonymous type"}`);
    const fname = raw[0];
    let node: Node;
    let bits: number | undefined;
    let anonymous = false;
    if (raw.length === 2) node = parseDesc(raw[1]);
    else if (raw.length === 3 && Array.isArray(raw[2])) {
      // BCC keeps only the outer dimension of int m[2][3]; several numbers are taken as nested dims.
      const dims = raw[2] as number[];
      node = parseDesc(raw[1]);
      for (let i = dims.length - 1; i >= 0; i--) node = arrayOf(node, dims[i]);
    } else if (raw.length === 3 && typeof raw[2] === "number") {
      node = parseDesc(raw[1]);
      bits = raw[2];
    } else if (raw.length === 3 && typeof raw[2] === "string") {
      node = parseDesc(raw);
      anonymous = fname === "";
    } else throw new CodecError(`cannot read field ${JSON.stringify(raw)} of ${name || "an anonymous type"}`);

    // Unnamed bitfields are padding too, and (SysV) do not raise the struct's alignment.
    const hidden = /^__pad_/.test(fname) || (fname === "" && bits !== undefined);
    if (!(hidden && bits !== undefined)) maxAlign = Math.max(maxAlign, node.align);
    if (union) {
      fields.push({ name: fname, node, offset: 0, hidden, anonymous, ...(bits !== undefined ? { bitShift: 0, bits } : {}) });
      maxSize = Math.max(maxSize, bits !== undefined ? Math.ceil(bits / 8) : node.size);
      continue;
    }
    if (bits !== undefined) {
      const unit = node.size * 8;
      if (bits === 0) {
        bit = roundUp(bit, unit);
        continue;
      }
      // SysV: a bitfield may not straddle a boundary of its declared type's alignment.
      if (!packed && Math.floor(bit / unit) !== Math.floor((bit + bits - 1) / unit)) bit = roundUp(bit, unit);
      const offset = Math.floor(bit / 8);
      fields.push({ name: fname, node, offset, bitShift: bit - offset * 8, bits, hidden, anonymous });
      bit += bits;
      continue;
    }
    let offset = Math.ceil(bit / 8);
    if (!packed) offset = roundUp(offset, node.align);
    fields.push({ name: fname, node, offset, hidden, anonymous });
    bit = (offset + node.size) * 8;
  }
  let size: number;
  let align = maxAlign;
  if (union) size = roundUp(maxSize, maxAlign);
  else if (packed) {
    size = Math.ceil(bit / 8);
    // An __attribute__((packed)) type has no padding to explain its odd size: it aligns to 1.
    if (size % maxAlign !== 0) align = 1;
  } else size = roundUp(Math.ceil(bit / 8), maxAlign);
  return { kind: "struct", size, align, name, union, fields };
}

/**
 * BCC describes `int m[2][3]` as ["m", "int", [2]]: only the outer dimension
 * survives, so the described struct falls short of the map's real size. When
 * exactly one field could be such an array, the missing inner dimension is the
 * one that makes the sizes agree (deeper dimensions come back folded into one:
 * [2][3][4] as [2][12], the same bytes). Returns undefined when that is not
 * certain.
 */
export function restoreLostDims(desc: unknown, size: number): { node: Node; note: string } | undefined {
  if (!isStructDesc(desc) || desc[2] === "union") return undefined;
  const fields = desc[1] as unknown[][];
  const deficit = size - parseDesc(desc).size;
  if (deficit <= 0) return undefined;
  const arrays = fields.flatMap((f, i) => (Array.isArray(f[2]) && !String(f[0]).startsWith("__pad_") ? [i] : []));
  // A nested struct or union could hold the short array instead: then nothing is certain.
  const nested = fields.some((f) => isStructDesc(f[1]) || (f.length === 3 && typeof f[2] === "string"));
  if (arrays.length !== 1 || nested) return undefined;
  const i = arrays[0];
  const [fname, ftype, dims] = fields[i] as [string, unknown, number[]];
  if (dims.length !== 1) return undefined;
  const row = dims[0] * parseDesc(ftype).size;
  if (row === 0 || (row + deficit) % row !== 0) return undefined;
  const inner = (row + deficit) / row;
  const fixed = [desc[0], fields.map((f, j) => (j === i ? [fname, ftype, [dims[0], inner]] : f)), ...desc.slice(2)];
  const node = parseDesc(fixed);
  if (node.size !== size) return undefined;
  return { node, note: `${fname}: [${dims[0]}][${inner}] restored from the map's size (BCC's description keeps only [${dims[0]}])` };
}
