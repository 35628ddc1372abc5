/**
 * Bad programs: every program of the corpus (bad-programs.ts) runs as a %%bpf
 * cell in ONE kernel session through a real client. Each fails with an error
 * that names its problem; the kernel survives them all, and at the end its fd
 * count and the machine's loaded programs are what they were before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "../support/kernel-client.js";
import { BAD_PROGRAMS } from "./bad-programs.js";
import { fdCount, newPrograms, programIds, programsOf, until } from "./proc.js";

let k: KernelClient;
beforeAll(async () => {
  // The language service starts on the first request and stops when idle; kept
  // running here, so its worker's descriptors are in the baseline, not news.
  k = await KernelClient.start({ env: { IBCC_LANGUAGE_IDLE_MS: "0" } });
});
afterAll(async () => {
  await k?.close();
});

const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");

describe("a corpus of invalid BPF programs", () => {
  it(`${BAD_PROGRAMS.length} bad %%bpf cells: each a clear error, the kernel unchanged`, async () => {
    expect(BAD_PROGRAMS.length).toBeGreaterThanOrEqual(50);
    // A first good cell loads the BPF side (compiler, headers), so the
    // baseline holds what every session has open.
    const warm = await k.execute("%%bpf good\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }", {}, 60_000);
    expect(warm.reply.content.status).toBe("ok");
    const completed = await k.request("shell", "complete_request", { code: "good.", cursor_pos: 5 }, 60_000);
    expect(completed.reply.content.status).toBe("ok");
    const pid = k.proc.pid!;
    const fdsBefore = fdCount(pid);
    const progsBefore = programsOf(pid);
    const machineBefore = programIds();

    const rows: string[] = [];
    const misses: string[] = [];
    const t0 = performance.now();
    for (const p of BAD_PROGRAMS) {
      const t = performance.now();
      const x = await k.execute(`%%bpf bad${p.cell}`, {}, 60_000);
      const c = x.reply.content;
      const text = plain(`${c.ename}: ${c.evalue}\n${(c.traceback ?? []).join("\n")}`);
      const shown = x.outputs.some((m) => m.header.msg_type === "error");
      const ok = c.status === "error" && shown && p.expect.test(text);
      rows.push(`${ok ? "ok  " : "MISS"} ${(performance.now() - t).toFixed(0).padStart(5)} ms  ${p.name}: ${c.ename}: ${plain(String(c.evalue ?? "")).split("\n")[0].slice(0, 110)}`);
      if (!ok) misses.push(`${p.name} (${c.status}): ${text.slice(0, 400)}`);
    }
    const totalMs = performance.now() - t0;

    // The good program is still there and the kernel answers.
    const after = await k.execute("typeof good");
    expect(after.reply.content.status).toBe("ok");
    expect(await k.heartbeat(5000)).toBeGreaterThan(0);
    // Descriptors of a failed load close as the cell's error is handled; give them a moment.
    await until(() => fdCount(pid) <= fdsBefore, 5000);
    const fdsAfter = fdCount(pid);
    const progsAfter = programsOf(pid);
    const appeared = newPrograms(machineBefore);
    console.log(rows.join("\n"));
    console.log(
      `bad programs: ${BAD_PROGRAMS.length} cells in ${(totalMs / 1000).toFixed(1)} s (${(totalMs / BAD_PROGRAMS.length).toFixed(0)} ms each); ` +
        `kernel fds ${fdsBefore} -> ${fdsAfter}; bpftool prog show: the kernel holds ${progsBefore.length} -> ${progsAfter.length} programs, ` +
        `machine ${machineBefore.length} -> ${machineBefore.length + appeared.length - machineBefore.filter((id) => !programIds().includes(id)).length} (new: ${appeared.join(", ") || "none"})`,
    );
    expect(misses).toEqual([]);
    expect(k.proc.exitCode).toBe(null);
    // None gained: one the BPF side opened lazily (an epoll, a worker's pipe) may close meanwhile.
    expect(fdsAfter).toBeLessThanOrEqual(fdsBefore);
    expect(progsAfter).toEqual(progsBefore);
    // Other processes may load programs meanwhile, so the machine-wide list is
    // printed, and what this kernel holds is what is compared.
    expect(progsBefore.length).toBeGreaterThan(0);
  }, 300_000);
});
