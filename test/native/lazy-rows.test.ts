/** entries()'s rows made on first touch behave as the eager array of [key, value] pairs they stand for. */
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { lazyRows } from "../../native/lazy-rows.js";

const n = 5;
const keys = () => BigUint64Array.from({ length: n }, (_, i) => BigInt(i * 10));
const values = () => Uint32Array.from({ length: n }, (_, i) => i + 1);
const eager = (): [bigint, number][] => Array.from({ length: n }, (_, i) => [BigInt(i * 10), i + 1]);
const rows = () => lazyRows<bigint, number>(keys(), values(), n);

describe("lazy rows", () => {
  it("read, iterate, compare and show as the eager array", () => {
    const r = rows();
    expect(Array.isArray(r)).toBe(true);
    expect(r.length).toBe(n);
    expect(r[2]).toEqual([20n, 3]);
    expect(r[2]).toBe(r[2]);
    expect(r[n]).toBeUndefined();
    expect([...r]).toEqual(eager());
    expect(r).toEqual(eager());
    const seen: bigint[] = [];
    for (const [k] of r) seen.push(k);
    expect(seen).toEqual(eager().map((e) => e[0]));
    expect(Object.keys(rows())).toEqual(["0", "1", "2", "3", "4"]);
    expect(inspect(rows())).toBe(inspect(eager()));
    expect(inspect({ table: rows() }, { depth: 0 })).toBe(inspect({ table: eager() }, { depth: 0 }));
    expect(JSON.stringify(rows().map(([k, v]) => [String(k), v]))).toBe(JSON.stringify(eager().map(([k, v]) => [String(k), v])));
  });

  it("sort, filter, splice, write, delete and shorten as an array does", () => {
    const r = rows();
    r.sort((a, b) => b[1] - a[1]);
    expect(r.map((e) => e[1])).toEqual([5, 4, 3, 2, 1]);
    const e = rows();
    e[1] = [1n, 100];
    expect(e[1]).toEqual([1n, 100]);
    delete e[2];
    expect(2 in e).toBe(false);
    expect(e[2]).toBeUndefined();
    e.splice(0, 1);
    expect(e.length).toBe(n - 1);
    expect(e[0]).toEqual([1n, 100]);
    const s = rows();
    s.length = 2;
    s.length = 4;
    expect(s[3]).toBeUndefined();
    expect(3 in s).toBe(false);
    s.push([9n, 9]);
    expect(s.length).toBe(5);
    expect(s[4]).toEqual([9n, 9]);
    expect(rows().filter(([k]) => k >= 30n)).toEqual(eager().slice(3));
    expect(rows().slice(1, 3)).toEqual(eager().slice(1, 3));
    expect(rows().reverse()).toEqual(eager().reverse());
  });

  it("keep each value's exact type: bigint for 64-bit columns, number for narrower", () => {
    const [k, v] = rows()[0];
    expect(typeof k).toBe("bigint");
    expect(typeof v).toBe("number");
  });
});
