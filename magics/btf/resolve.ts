/**
 * Resolves a field path in a kernel struct to where its value lives:
 * `tgid`, `se.vruntime` (nested struct), `real_parent->tgid` (through a
 * pointer, which takes one more read), `comm[2]` (array element), looking
 * through typedefs, modifiers and anonymous struct/union members.
 */
import { Btf, BtfType, Kind } from "./parse.js";

export class BtfFieldError extends Error {
  override name = "BtfFieldError";
}

/** One read of the chain: the value at `offset` bytes from the current base. */
export interface FieldHop {
  offset: number;
}

export interface ResolvedField {
  /** Pointer hops before the final field: read a pointer at each offset, then continue from it. */
  derefs: FieldHop[];
  /** Byte offset of the field from the last base. */
  offset: number;
  size: number;
  signed: boolean;
  /** "int", "ptr", "enum", "struct", "union", "array", ... */
  kind: string;
  /** The field's type id. */
  type: number;
}

type Step = { op: "." | "->"; name: string } | { op: "[]"; index: number };

function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  const re = /\s*(?:(\.|->)?\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*(\d+)\s*\])/y;
  let pos = 0;
  let first = true;
  while (pos < path.trim().length) {
    re.lastIndex = pos;
    const m = re.exec(path);
    if (!m) throw new BtfFieldError(`cannot parse field path '${path}' at '${path.slice(pos)}'`);
    if (m[3] !== undefined) steps.push({ op: "[]", index: Number(m[3]) });
    else {
      if (!first && !m[1]) throw new BtfFieldError(`field path '${path}': expected . or -> before '${m[2]}'`);
      steps.push({ op: (m[1] as "." | "->") ?? ".", name: m[2] });
    }
    first = false;
    pos = re.lastIndex;
    while (path[pos] === " ") pos++;
  }
  if (steps.length === 0) throw new BtfFieldError("empty field path");
  return steps;
}

/** Finds a member by name, descending into anonymous structs and unions; bit offset from `t`'s start. */
function findMember(btf: Btf, t: BtfType, name: string): { type: number; bitOffset: number; bitSize: number } | undefined {
  for (const m of t.members ?? []) {
    if (m.name === name) return { type: m.type, bitOffset: m.bitOffset, bitSize: m.bitSize };
    if (m.name === "") {
      const inner = btf.strip(m.type);
      if (inner.kind === Kind.Struct || inner.kind === Kind.Union) {
        const found = findMember(btf, inner, name);
        if (found) return { ...found, bitOffset: found.bitOffset + m.bitOffset };
      }
    }
  }
  return undefined;
}

function memberNames(btf: Btf, t: BtfType): string[] {
  const out: string[] = [];
  for (const m of t.members ?? []) {
    if (m.name) out.push(m.name);
    else {
      const inner = btf.strip(m.type);
      if (inner.members) out.push(...memberNames(btf, inner));
    }
  }
  return out;
}

/** The struct or union named `name` ("task_struct", "struct task_struct", or a typedef of one). */
export function findStruct(btf: Btf, name: string): BtfType {
  const bare = name.replace(/^\s*(struct|union)\s+/, "").trim();
  const candidates = btf.named(bare);
  const direct = candidates.find((t) => (t.kind === Kind.Struct || t.kind === Kind.Union) && t.members && t.members.length > 0);
  if (direct) return direct;
  for (const t of candidates) {
    if (t.kind === Kind.Typedef) {
      const s = btf.strip(t.id);
      if (s.kind === Kind.Struct || s.kind === Kind.Union) return s;
    }
  }
  throw new BtfFieldError(`the running kernel's BTF has no struct or union named '${bare}'`);
}

const KIND_NAMES: Record<number, string> = {
  [Kind.Int]: "int",
  [Kind.Ptr]: "ptr",
  [Kind.Array]: "array",
  [Kind.Struct]: "struct",
  [Kind.Union]: "union",
  [Kind.Enum]: "enum",
  [Kind.Enum64]: "enum",
  [Kind.Float]: "float",
};

export function resolveField(btf: Btf, structName: string, path: string): ResolvedField {
  const steps = parsePath(path);
  let cur = findStruct(btf, structName);
  let curId = cur.id;
  let offset = 0;
  const derefs: FieldHop[] = [];
  let where = cur.name || structName;
  for (const step of steps) {
    if (step.op === "->") {
      const p = btf.strip(curId);
      if (p.kind !== Kind.Ptr) throw new BtfFieldError(`'${where}' is not a pointer, so '->${step.name}' does not apply (use '.')`);
      derefs.push({ offset });
      offset = 0;
      curId = p.type;
      cur = btf.strip(curId);
    } else if (step.op === "[]") {
      const a = btf.strip(curId);
      if (a.kind !== Kind.Array) throw new BtfFieldError(`'${where}' is not an array, so '[${step.index}]' does not apply`);
      if (step.index >= a.array!.nelems) throw new BtfFieldError(`'${where}[${step.index}]' is out of bounds (${a.array!.nelems} elements)`);
      offset += step.index * btf.sizeOf(a.array!.type);
      curId = a.array!.type;
      where += `[${step.index}]`;
      continue;
    } else {
      cur = btf.strip(curId);
    }
    if (cur.kind === Kind.Ptr && step.op === ".") throw new BtfFieldError(`'${where}' is a pointer: use '->${step.name}'`);
    if (cur.kind !== Kind.Struct && cur.kind !== Kind.Union)
      throw new BtfFieldError(`'${where}' is not a struct or union, so it has no field '${step.name}'`);
    const m = findMember(btf, cur, step.name);
    if (!m) {
      const names = memberNames(btf, cur);
      const near = names.filter((n) => n.includes(step.name) || step.name.includes(n)).slice(0, 6);
      throw new BtfFieldError(
        `${cur.kind === Kind.Union ? "union" : "struct"} ${cur.name || "(anonymous)"} has no field '${step.name}'` +
          (near.length ? `; near: ${near.join(", ")}` : ""),
      );
    }
    if (m.bitSize !== 0 || m.bitOffset % 8 !== 0) throw new BtfFieldError(`'${step.name}' is a bitfield, which BTF_READ cannot read`);
    offset += m.bitOffset / 8;
    curId = m.type;
    where = step.name;
  }
  const t = btf.strip(curId);
  return {
    derefs,
    offset,
    size: btf.sizeOf(curId),
    signed: t.signed,
    kind: KIND_NAMES[t.kind] ?? Kind[t.kind].toLowerCase(),
    type: curId,
  };
}
