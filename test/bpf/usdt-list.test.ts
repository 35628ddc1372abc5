/**
 * listUsdt against binutils' own reading of the same notes (`readelf -n`):
 * Debian's python3.11 and libstdc++, and a binary built here with
 * <sys/sdt.h> probes with semaphores; and a live process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { listUsdt } from "../../magics/usdt/list.js";

const SDT_H = ["/usr/include/sys/sdt.h", "/usr/include/x86_64-linux-gnu/sys/sdt.h", "/usr/include/aarch64-linux-gnu/sys/sdt.h"].some(existsSync);
if (!SDT_H) console.log("skipping the built-binary USDT check: <sys/sdt.h> is missing (Debian's systemtap-sdt-dev)");

/** readelf's view of the notes: provider, name, location, semaphore, arguments. */
function readelf(path: string): { provider: string; name: string; address: bigint; semaphore: bigint; args: string[] }[] {
  const text = execFileSync("readelf", ["-n", path], { encoding: "utf8" });
  const out = [];
  const re = /Provider: (\S+)\s+Name: (\S+)\s+Location: (0x[0-9a-f]+), Base: 0x[0-9a-f]+, Semaphore: (0x[0-9a-f]+)\s+Arguments: ?([^\n]*)/g;
  for (const m of text.matchAll(re))
    out.push({ provider: m[1], name: m[2], address: BigInt(m[3]), semaphore: BigInt(m[4]), args: m[5].trim() ? m[5].trim().split(/\s+/) : [] });
  return out;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ibcc-usdt-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("listUsdt", () => {
  for (const path of ["/usr/bin/python3.11", "/lib/x86_64-linux-gnu/libstdc++.so.6"]) {
    it.skipIf(!existsSync(path))(`reads what readelf reads in ${path}`, async () => {
      const ours = await listUsdt(path);
      const theirs = readelf(path);
      console.log(`${path}: ${ours.length} USDT probes (${[...new Set(ours.map((p) => p.provider))].join(", ")})`);
      expect(ours.map(({ binary: _b, ...p }) => p)).toEqual(theirs);
      expect(ours.every((p) => p.binary === path)).toBe(true);
    });
  }

  it.skipIf(!SDT_H)("reads probes, arguments and semaphores of a binary built here, also through its pid", async () => {
    const bin = join(dir, "sdt");
    writeFileSync(
      join(dir, "sdt.c"),
      `#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <unistd.h>
unsigned short ibcc_test_plain_semaphore __attribute__((unused)) __attribute__((section(".probes")));
unsigned short ibcc_test_counted_semaphore __attribute__((unused)) __attribute__((section(".probes")));
int main(int argc, char **argv) {
  long big = argc * 1000L;
  DTRACE_PROBE2(ibcc_test, plain, argc, big);
  DTRACE_PROBE(ibcc_test, counted);
  if (argc > 1) sleep(30);
  return 0;
}
`,
    );
    execFileSync("cc", ["-O1", "-o", bin, join(dir, "sdt.c")]);
    const ours = await listUsdt(bin);
    expect(ours.map(({ binary: _b, ...p }) => p)).toEqual(readelf(bin));
    expect(ours.map((p) => `${p.provider}:${p.name}`).sort()).toEqual(["ibcc_test:counted", "ibcc_test:plain"]);
    expect(ours.find((p) => p.name === "plain")!.args).toHaveLength(2);
    expect(ours.every((p) => p.semaphore !== 0n)).toBe(true);
    const child = spawn(bin, ["wait"], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const live = await listUsdt(String(child.pid));
      expect(live.filter((p) => p.provider === "ibcc_test").map((p) => p.binary)).toEqual([bin, bin]);
    } finally {
      child.kill();
    }
  });

  it("says when a target is missing, not ELF or not a process", async () => {
    await expect(listUsdt("/no/such/file")).rejects.toThrow(/\/no\/such\/file: no such file/);
    writeFileSync(join(dir, "text"), "not an ELF file\n".repeat(8));
    await expect(listUsdt(join(dir, "text"))).rejects.toThrow(/is not an ELF file/);
    await expect(listUsdt("999999999")).rejects.toThrow(/pid 999999999: no such process/);
  });
});
