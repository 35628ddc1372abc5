// The cell-facing Table (magics/table.ts): rows decoded in one pass, and the
// columnar form as views of the batched read, plain and per-CPU.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Table } from "../../magics/table.js";
import { compile, type Module } from "../../native/index.js";
import { u32, u64 } from "./helpers.js";

let m: Module;
beforeAll(async () => {
  m = await compile(`
BPF_HASH(counts, u32, u64, 1024);
BPF_PERCPU_ARRAY(per, u64, 4);
int f(void *c) { return 0; }`);
});
afterAll(() => m?.close());

describe("Table columns", () => {
  it("gives rows and columns of the same entries", () => {
    const map = m.map("counts");
    for (let i = 0; i < 500; i++) map.update(u32(i), u64(BigInt(i) * 1000n + 5n));
    const t = new Table<number, bigint>(map);
    const rows = new Map(t.entries());
    expect(rows.size).toBe(500);
    expect(rows.get(321)).toBe(321005n);
    const cols = t.entriesColumnar();
    expect(cols.count).toBe(500);
    const ks = cols.keys as Uint32Array;
    const vs = cols.values as BigUint64Array;
    expect(ks).toBeInstanceOf(Uint32Array);
    expect(vs).toBeInstanceOf(BigUint64Array);
    for (let i = 0; i < cols.count; i++) expect(vs[i]).toBe(rows.get(ks[i]));
  });

  it("sums per-CPU values and keeps every CPU's, entry-major", () => {
    const map = m.map("per");
    const cpus = map.possibleCpus;
    const value = Buffer.alloc(8 * cpus);
    for (let c = 0; c < cpus; c++) value.writeBigUInt64LE(BigInt(c + 1), 8 * c);
    map.update(u32(2), value);
    const cols = new Table<number, bigint[]>(map).entriesColumnar();
    expect(cols.count).toBe(4);
    expect(cols.cpus).toBe(cpus);
    const at = Array.from(cols.keys as Uint32Array).indexOf(2);
    expect((cols.values as BigUint64Array)[at]).toBe(BigInt((cpus * (cpus + 1)) / 2));
    expect((cols.cpuValues as BigUint64Array)[at * cpus + cpus - 1]).toBe(BigInt(cpus));
  });
});
