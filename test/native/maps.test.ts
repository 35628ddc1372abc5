import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BpfError, compile, possibleCpus, type Module } from "../../native/index.js";
import { u32, u64 } from "./helpers.js";

let m: Module;
beforeAll(async () => {
  m = await compile(`
struct key_t { u32 pid; char comm[12]; };
BPF_HASH(big, u32, u64, 100000);
BPF_HASH(structs, struct key_t, u64, 16);
BPF_ARRAY(arr, u32, 8);
BPF_PERCPU_ARRAY(pc, u64, 2);
BPF_PERCPU_HASH(pch, u32, u32, 64);
BPF_TABLE("lru_hash", u32, u64, lru, 128);
int f(void *ctx) { return 0; }
`);
});
afterAll(() => m.close());

describe("maps", () => {
  it("reports types, sizes and BCC's type descriptions", () => {
    expect(m.map("big")).toMatchObject({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 100000, perCpu: false });
    expect(m.map("structs").keyDesc).toEqual(["key_t", [["pid", "unsigned int"], ["comm", "char", [12]]], "struct_packed"]);
    expect(m.map("structs").keySize).toBe(16);
    expect(m.map("pc")).toMatchObject({ type: "percpu_array", perCpu: true, possibleCpus });
    expect(m.map("lru").type).toBe("lru_hash");
  });

  it("updates, looks up, walks and deletes single elements", () => {
    const h = m.map("big");
    h.update(u32(7), u64(70));
    h.update(u32(8), u64(80));
    expect(h.lookup(u32(7))!.readBigUInt64LE()).toBe(70n);
    expect(h.lookup(u32(9))).toBeUndefined();
    expect(() => h.update(u32(7), u64(1), 1 /* BPF_NOEXIST */)).toThrow(expect.objectContaining({ code: "EEXIST", op: "map_update" }));
    const first = h.nextKey()!;
    const second = h.nextKey(first)!;
    expect([first.readUInt32LE(), second.readUInt32LE()].sort()).toEqual([7, 8]);
    expect(h.nextKey(second)).toBeUndefined();
    expect(h.keys().length).toBe(8);
    expect(h.delete(u32(7))).toBe(true);
    expect(h.delete(u32(7))).toBe(false);
    h.clear();
    expect(h.keys().length).toBe(0);
  });

  it("checks key and value sizes before the kernel sees them", () => {
    const h = m.map("big");
    expect(() => h.lookup(Buffer.alloc(3))).toThrow(BpfError);
    expect(() => h.update(u32(1), Buffer.alloc(4))).toThrow(/8/);
  });

  it("reads per-CPU values as one slot per possible CPU", () => {
    const pc = m.map("pc");
    const v = pc.lookup(u32(1))!;
    expect(v.length).toBe(possibleCpus * 8);
    const w = Buffer.alloc(possibleCpus * 8);
    for (let c = 0; c < possibleCpus; c++) w.writeBigUInt64LE(BigInt(c + 10), c * 8);
    pc.update(u32(1), w);
    expect(pc.lookup(u32(1))).toEqual(w);
    const pch = m.map("pch");
    const hv = Buffer.alloc(possibleCpus * 8);  // u32 values, each slot padded to 8 bytes
    hv.writeUInt32LE(5, 0);
    pch.update(u32(3), hv);
    const all = pch.readAll();
    expect(all.count).toBe(1);
    expect(all.values.length).toBe(possibleCpus * 8);
    expect(all.values.readUInt32LE(0)).toBe(5);
    pc.clear();
    expect(pc.lookup(u32(1))!.every((b) => b === 0)).toBe(true);
  });

  it("zero-fills arrays on clear and reads them whole", () => {
    const arr = m.map("arr");
    arr.update(u32(3), u32(33));
    const before = arr.readAll();
    expect(before.count).toBe(8);
    expect(before.values.readUInt32LE(12)).toBe(33);
    arr.clear();
    const after = arr.readAll();
    expect(after.count).toBe(8);
    expect(after.values.every((b) => b === 0)).toBe(true);
  });

  it("batch-reads a 100,000-entry hash exactly", () => {
    const h = m.map("big");
    const N = 100_000;
    let t = performance.now();
    for (let i = 0; i < N; i++) h.update(u32(i), u64(i * 3));
    const writeMs = performance.now() - t;
    t = performance.now();
    const { keys, values, count } = h.readAll();
    const readMs = performance.now() - t;
    console.log(`100,000-entry hash: written one by one in ${writeMs.toFixed(0)} ms, read in ${readMs.toFixed(1)} ms`);
    expect(count).toBe(N);
    expect(keys.length).toBe(N * 4);
    expect(values.length).toBe(N * 8);
    const seen = new Uint8Array(N);
    const wrong: number[] = [];
    for (let i = 0; i < N; i++) {
      const k = keys.readUInt32LE(i * 4);
      if (k >= N || values.readBigUInt64LE(i * 8) !== BigInt(k * 3)) wrong.push(k);
      else seen[k]++;
    }
    expect(wrong).toEqual([]);
    expect(seen.every((x) => x === 1)).toBe(true);
    t = performance.now();
    h.clear();
    console.log(`cleared in ${(performance.now() - t).toFixed(1)} ms`);
    expect(h.readAll().count).toBe(0);
    // A few entries of a big map: trimmed to size, in memory of their own.
    for (let i = 0; i < 5; i++) h.update(u32(i), u64(i * 3));
    const few = h.readAll();
    expect(few.count).toBe(5);
    expect(few.keys.length).toBe(20);
    expect(few.values.length).toBe(40);
    expect(few.values.byteOffset).toBe(0);
    expect(few.values.buffer.byteLength).toBe(40);
    expect([...new BigUint64Array(few.values.buffer, 0, 5)].sort((a, b) => Number(a - b))).toEqual([0n, 3n, 6n, 9n, 12n]);
    h.clear();
  });

  it("reads struct-keyed and lru maps", () => {
    const s = m.map("structs");
    const k = Buffer.alloc(16);
    k.writeUInt32LE(42);
    k.write("node", 4);
    s.update(k, u64(1));
    const r = s.readAll();
    expect(r.count).toBe(1);
    expect(r.keys).toEqual(k);
    const lru = m.map("lru");
    for (let i = 0; i < 10; i++) lru.update(u32(i), u64(i));
    expect(lru.readAll().count).toBe(10);
    lru.clear();
    expect(lru.readAll().count).toBe(0);
  });
});
