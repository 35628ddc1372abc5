import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResolverPool, SymbolResolver, resolveSymbol, symbolizeStack } from "../../native/symbols.js";

/** A function symbol of the kernel's text, from /proc/kallsyms, with a unique name. */
function kernelFunction(): { name: string; addr: bigint; next: bigint } {
  const lines = readFileSync("/proc/kallsyms", "utf8").split("\n");
  const counts = new Map<string, number>();
  const syms: { name: string; addr: bigint }[] = [];
  for (const l of lines) {
    const [a, t, name, mod] = l.split(/\s+/);
    if (!name || mod || (t !== "T" && t !== "t")) continue;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    syms.push({ name, addr: BigInt("0x" + a) });
  }
  for (const want of ["vfs_read", "do_sys_open", "ksys_write", "schedule"]) {
    const i = syms.findIndex((s) => s.name === want);
    if (i >= 0 && counts.get(want) === 1 && syms[i].addr !== 0n) return { ...syms[i], next: syms[i + 1].addr };
  }
  throw new Error("no well-known kernel function in /proc/kallsyms");
}

describe("kernel symbols", () => {
  it("resolves a kallsyms address back to its name, with offsets inside the function", () => {
    const fn = kernelFunction();
    const k = SymbolResolver.kernel();
    expect(k.resolve(fn.addr)).toEqual({ name: fn.name, module: "kernel", offset: 0n });
    const inside = fn.addr + (fn.next - fn.addr) / 2n;
    expect(k.resolve(inside)).toMatchObject({ name: fn.name, offset: inside - fn.addr });
    expect(k.address(fn.name)).toBe(fn.addr);
    expect(SymbolResolver.kernel()).toBe(k);
    const [frame] = symbolizeStack([inside], k);
    expect(frame.text).toBe(`${fn.name}+0x${(inside - fn.addr).toString(16)} [kernel]`);
  });

  it("refuses a process symbol without its module instead of crashing in libbcc", () => {
    const r = SymbolResolver.forPid(process.pid);
    expect(() => r.address("malloc")).toThrow(/needs its module/);
    const libc = readFileSync(`/proc/${process.pid}/maps`, "utf8").split("\n")
      .map((l) => l.split(/\s+/)[5]).find((p) => p && /\/libc\.so/.test(p));
    if (libc) expect(typeof r.address("malloc", libc)).toBe("bigint");
  });

  it("answers undefined for an address no symbol covers", () => {
    expect(SymbolResolver.kernel().resolve(16n)).toBeUndefined();
    expect(symbolizeStack([16n], SymbolResolver.kernel())[0].text).toBe("0x10");
  });
});

describe("process symbols", () => {
  let dir: string;
  let bin: string;
  let child: ChildProcess;
  let marker: bigint;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ibcc-syms-"));
    bin = join(dir, "marker");
    writeFileSync(
      join(dir, "marker.c"),
      `#include <stdio.h>
#include <unistd.h>
__attribute__((noinline)) int ibcc_marker_function(int x) { return x * 3 + 1; }
int main(void) {
  printf("%p\\n", (void *)ibcc_marker_function);
  fflush(stdout);
  char c;
  return read(0, &c, 1) < 0 ? ibcc_marker_function(1) : 0;
}
`,
    );
    execFileSync("cc", ["-O1", "-g", "-o", bin, join(dir, "marker.c")]);
    child = spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] });
    marker = await new Promise<bigint>((resolve, reject) => {
      child.stdout!.once("data", (d: Buffer) => resolve(BigInt(d.toString().trim())));
      child.once("error", reject);
    });
  });

  afterAll(() => {
    child?.stdin?.end();
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resolves a function of a running binary by address", () => {
    const r = SymbolResolver.forPid(child.pid!);
    try {
      expect(r.resolve(marker)).toEqual({ name: "ibcc_marker_function", module: bin, offset: 0n });
      expect(r.resolve(marker + 2n)?.offset).toBe(2n);
      expect(symbolizeStack([marker], r)[0].text).toBe("ibcc_marker_function [marker]");
    } finally {
      r.close();
    }
    expect(r.closed).toBe(true);
    r.close();
    expect(() => r.resolve(marker)).toThrow(/closed/);
    expect(() => SymbolResolver.forPid(2 ** 22 + 1)).toThrow(/no process 4194305/);
  });

  it("keeps one resolver per process in a pool, and none for a process that has gone", () => {
    const pool = new ResolverPool();
    const r = pool.forPid(child.pid!)!;
    expect(pool.forPid(child.pid!)).toBe(r);
    expect(r.resolve(marker)?.name).toBe("ibcc_marker_function");
    expect(pool.forPid(2 ** 22 + 1)).toBeUndefined();
    expect(symbolizeStack([marker], pool.forPid(2 ** 22 + 1))).toEqual([{ addr: marker, text: `0x${marker.toString(16)}` }]);
    expect(pool.kernel()).toBe(SymbolResolver.kernel());
    pool.close();
    expect(r.closed).toBe(true);
  });

  it("finds the file offset of a binary's symbol, as uprobes need", () => {
    // The expected offset from the ELF headers: symbol value minus .text's address plus its file offset.
    const syms = execFileSync("readelf", ["-sW", bin], { encoding: "utf8" });
    const value = BigInt("0x" + / ([0-9a-f]+) +\d+ FUNC +GLOBAL +DEFAULT +\d+ ibcc_marker_function$/m.exec(syms)![1]);
    const secs = execFileSync("readelf", ["-SW", bin], { encoding: "utf8" });
    const text = /\] \.text +PROGBITS +([0-9a-f]+) ([0-9a-f]+)/.exec(secs)!;
    const expected = value - BigInt("0x" + text[1]) + BigInt("0x" + text[2]);
    expect(resolveSymbol(bin, "ibcc_marker_function")).toEqual({ module: bin, offset: expected });
    expect(resolveSymbol(bin, "ibcc_marker_function", child.pid!).offset).toBe(expected);
    expect(resolveSymbol("c", "malloc").module).toMatch(/libc\.so/);
    expect(() => resolveSymbol(bin, "no_such_function")).toThrow(/cannot find symbol "no_such_function"/);
  });
});
