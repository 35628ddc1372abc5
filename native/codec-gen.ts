/**
 * Generates a decoder and an encoder for a laid-out type as JavaScript source,
 * compiled once with new Function: field reads become straight DataView calls
 * at constant offsets, which is what makes decoding a million entries cheap.
 */
import type { Field, Node } from "./codec-layout.js";

export type DecodeFn = (b: Buffer, dv: DataView, o: number) => unknown;
export type EncodeFn = (b: Buffer, dv: DataView, o: number, v: unknown) => void;

const SMALL_BIGINTS = 4096;

/** Runtime helpers the generated code calls; passed in as `rt`. */
const runtime = {
  small: Array.from({ length: SMALL_BIGINTS }, (_, i) => BigInt(i)),
  str(b: Buffer, o: number, n: number): string {
    let end = b.indexOf(0, o);
    if (end < 0 || end > o + n) end = o + n;
    return b.toString("utf8", o, end);
  },
  wstr(b: Buffer, o: number, n: number, v: unknown): void {
    b.fill(0, o, o + n);
    if (v === undefined || v === null) return;
    const src = Buffer.isBuffer(v) ? v : Buffer.from(String(v), "utf8");
    src.copy(b, o, 0, Math.min(n, src.length));
  },
  big(v: unknown): bigint {
    if (typeof v === "bigint") return v;
    if (v === undefined || v === null) return 0n;
    if (typeof v === "boolean") return v ? 1n : 0n;
    if (typeof v === "string" && /^\s*-?(\d+|0x[0-9a-f]+)\s*$/i.test(v)) return BigInt(v.trim());
    const n = typeof v === "number" ? v : NaN;
    if (!Number.isFinite(n)) throw new TypeError(`not an integer: ${JSON.stringify(v) ?? String(v)}`);
    return BigInt(Math.trunc(n));
  },
  num(v: unknown): number {
    if (typeof v === "number") return v;
    if (v === undefined || v === null) return 0;
    if (typeof v === "bigint") return Number(BigInt.asIntN(64, v));
    if (typeof v === "boolean") return v ? 1 : 0;
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (Number.isNaN(n)) throw new TypeError(`not a number: ${JSON.stringify(v) ?? String(v)}`);
    return n;
  },
  r128(dv: DataView, o: number, signed: boolean): bigint {
    const v = (dv.getBigUint64(o + 8, true) << 64n) | dv.getBigUint64(o, true);
    return signed ? BigInt.asIntN(128, v) : v;
  },
  w128(dv: DataView, o: number, v: unknown): void {
    const x = BigInt.asUintN(128, runtime.big(v));
    dv.setBigUint64(o, x & 0xffffffffffffffffn, true);
    dv.setBigUint64(o + 8, x >> 64n, true);
  },
  /** Reads `bits` bits starting `shift` bits into byte o (little endian), as a bigint. */
  rbits(b: Buffer, o: number, shift: number, bits: number, signed: boolean): bigint {
    let x = 0n;
    const nbytes = Math.ceil((shift + bits) / 8);
    for (let i = nbytes - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[o + i]);
    x = BigInt.asUintN(bits, x >> BigInt(shift));
    return signed ? BigInt.asIntN(bits, x) : x;
  },
  wbits(b: Buffer, o: number, shift: number, bits: number, v: unknown): void {
    const nbytes = Math.ceil((shift + bits) / 8);
    let x = 0n;
    for (let i = nbytes - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[o + i]);
    const mask = ((1n << BigInt(bits)) - 1n) << BigInt(shift);
    x = (x & ~mask) | ((BigInt.asUintN(bits, runtime.big(v)) << BigInt(shift)) & mask);
    for (let i = 0; i < nbytes; i++) {
      b[o + i] = Number(x & 0xffn);
      x >>= 8n;
    }
  },
  bytes(b: Buffer, o: number, n: number): Buffer {
    return Buffer.from(b.subarray(o, o + n));
  },
  wbytes(b: Buffer, o: number, n: number, v: unknown): void {
    b.fill(0, o, o + n);
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(b, o, 0, Math.min(n, v.byteLength));
  },
};

class Generator {
  private helpers: string[] = [];
  private seq = 0;

  /** A JS expression reading `n` at offset expression `o`. */
  dec(n: Node, o: string): string {
    switch (n.kind) {
      case "int":
        switch (n.size) {
          case 1:
            return n.signed ? `(b[${o}]<<24>>24)` : `b[${o}]`;
          case 2:
            return `dv.get${n.signed ? "Int16" : "Uint16"}(${o},true)`;
          case 4:
            return `dv.get${n.signed ? "Int32" : "Uint32"}(${o},true)`;
          case 8:
            // Counters and histogram buckets are mostly small: those share preallocated
            // bigints instead of allocating one each (several times faster on big maps).
            return `((t=dv.getUint32(${o},true))<${SMALL_BIGINTS}&&dv.getUint32(${o}+4,true)===0?rt.small[t]:dv.get${n.signed ? "BigInt64" : "BigUint64"}(${o},true))`;
          case 16:
            return `rt.r128(dv,${o},${n.signed})`;
        }
        break;
      case "bool":
        return `(b[${o}]!==0)`;
      case "float":
        return `dv.getFloat${n.size * 8}(${o},true)`;
      case "bytes":
        return `rt.bytes(b,${o},${n.size})`;
      case "chars":
        return `rt.str(b,${o},${n.length})`;
      case "array": {
        const h = this.helper(
          `function(b,dv,o){let t;const a=new Array(${n.length});for(let i=0;i<${n.length};i++)a[i]=${this.dec(n.elem, `o+i*${n.elem.size}`)};return a;}`,
        );
        return `${h}(b,dv,${o})`;
      }
      case "struct": {
        const h = this.helper(`function(b,dv,o){let t;return {${this.decFields(n.fields, "o").join(",")}};}`);
        return `${h}(b,dv,${o})`;
      }
    }
    throw new Error("unreachable");
  }

  private decFields(fields: Field[], o: string): string[] {
    const out: string[] = [];
    for (const f of fields) {
      if (f.hidden) continue;
      const at = f.offset ? `${o}+${f.offset}` : o;
      if (f.anonymous && f.node.kind === "struct") {
        out.push(...this.decFields(f.node.fields, at));
        continue;
      }
      // A literal "__proto__" key would set the prototype; a computed key makes a plain property.
      const key = f.name === "__proto__" ? `["__proto__"]` : JSON.stringify(f.name);
      out.push(`${key}:${f.bits !== undefined ? this.decBits(f, at) : this.dec(f.node, at)}`);
    }
    return out;
  }

  private decBits(f: Field, at: string): string {
    const signed = f.node.kind === "int" && f.node.signed;
    const read = `rt.rbits(b,${at},${f.bitShift},${f.bits},${signed})`;
    if (f.node.kind === "bool") return `(${read}!==0n)`;
    // The declared type decides the JS type, so a field keeps one type whatever its width.
    return f.node.size > 4 ? read : `Number(${read})`;
  }

  /** JS statements writing value expression `v` as `n` at offset expression `o`. */
  enc(n: Node, v: string, o: string): string {
    switch (n.kind) {
      case "int":
        switch (n.size) {
          case 1:
            return `b[${o}]=rt.num(${v})|0;`;
          case 2:
            return `dv.setUint16(${o},rt.num(${v})|0,true);`;
          case 4:
            return `dv.setUint32(${o},rt.num(${v})>>>0,true);`;
          case 8:
            return `dv.setBigUint64(${o},BigInt.asUintN(64,rt.big(${v})),true);`;
          case 16:
            return `rt.w128(dv,${o},${v});`;
        }
        break;
      case "bool":
        return `b[${o}]=${v}?1:0;`;
      case "float":
        return `dv.setFloat${n.size * 8}(${o},rt.num(${v}),true);`;
      case "bytes":
        return `rt.wbytes(b,${o},${n.size},${v});`;
      case "chars":
        return `rt.wstr(b,${o},${n.length},${v});`;
      case "array": {
        const h = this.helper(
          `function(b,dv,o,a){if(a==null)return;const n=Math.min(a.length,${n.length});for(let i=0;i<n;i++){${this.enc(n.elem, "a[i]", `o+i*${n.elem.size}`)}}}`,
        );
        return `${h}(b,dv,${o},${v});`;
      }
      case "struct": {
        const s = `s${this.seq++}`;
        return `{const ${s}=${v};if(${s}!=null){${this.encFields(n.fields, s, o)}}}`;
      }
    }
    throw new Error("unreachable");
  }

  private encFields(fields: Field[], s: string, o: string): string {
    let out = "";
    for (const f of fields) {
      if (f.hidden) continue;
      const at = f.offset ? `${o}+${f.offset}` : o;
      if (f.anonymous && f.node.kind === "struct") {
        out += this.encFields(f.node.fields, s, at);
        continue;
      }
      const v = `${s}[${JSON.stringify(f.name)}]`;
      // Absent fields stay zero; union members overlap, so only the ones the value names are written.
      const guard = `if(${v}!==undefined)`;
      out += f.bits !== undefined ? `${guard}rt.wbits(b,${at},${f.bitShift},${f.bits},${v});` : `${guard}{${this.enc(f.node, v, at)}}`;
    }
    return out;
  }

  private helper(src: string): string {
    this.helpers.push(src);
    return `h${this.helpers.length - 1}`;
  }

  build<F>(body: string, params: string): F {
    const hs = this.helpers.map((h, i) => `const h${i}=${h};`).join("\n");
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function("rt", `"use strict";\n${hs}\nreturn function(${params}){${body}};`)(runtime) as F;
  }
}

export function generateDecoder(n: Node): DecodeFn {
  const g = new Generator();
  const expr = g.dec(n, "o");
  return g.build<DecodeFn>(`let t;return ${expr};`, "b,dv,o");
}

export function generateEncoder(n: Node): EncodeFn {
  const g = new Generator();
  const stmts = g.enc(n, "v", "o");
  return g.build<EncodeFn>(stmts, "b,dv,o,v");
}
