/**
 * SIGKILL of the kernel while a %%bpftrace cell runs (in the foreground and
 * in the background): bpftrace dies with it (it is started under
 * PR_SET_PDEATHSIG) and every BPF program it loaded is freed. A shutdown
 * ends them too.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { KernelClient } from "../support/kernel-client.js";
import { programsOf, sleep, stillLoaded, until } from "../hardening/proc.js";
import { findExecutable } from "../../magics/bpftrace/run.js";

const HAVE = findExecutable("bpftrace") !== undefined && findExecutable("setpriv") !== undefined;
if (!HAVE) console.log("skipping %%bpftrace SIGKILL test: bpftrace or setpriv (util-linux) is not installed");

/** Pids of bpftrace processes whose command line has `marker`. */
function bpftraceWith(marker: string): number[] {
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes("bpftrace -f json") && l.includes(marker))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe.skipIf(!HAVE)("%%bpftrace and SIGKILL of the kernel", () => {
  for (const mode of ["foreground", "background"] as const) {
    it(`${mode}: no bpftrace process and no program left`, async () => {
      const marker = `ibcc_sigkill_${mode}_${process.pid}`;
      const k = await KernelClient.start();
      try {
        const code = `%%bpftrace kill ${mode === "background" ? "--background" : ""}\ntracepoint:syscalls:sys_enter_getppid /comm == "${marker.slice(0, 15)}"/ { @${marker} = count(); }`;
        const id = k.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
        await k.waitFor((m, ch) => ch === "iopub" && m.parent_header.msg_id === id && m.header.msg_type === "stream" && /Attaching/.test(String(m.content.text)), 60_000);
        const [pid] = bpftraceWith(marker);
        expect(pid).toBeGreaterThan(0);
        const held = await (async () => {
          // bpftrace loads its programs before it says it attaches; give the fds a moment to show.
          for (let i = 0; i < 20; i++) {
            const p = programsOf(pid);
            if (p.length) return p;
            await sleep(100);
          }
          return [];
        })();
        expect(held.length).toBeGreaterThan(0);
        k.proc.kill("SIGKILL");
        await k.waitExit(10_000);
        const gone = await until(() => bpftraceWith(marker).length === 0, 5_000);
        const freed = await until(() => stillLoaded(held).length === 0, 10_000);
        console.log(`sigkill ${mode}: bpftrace ${pid} held programs ${held.join(", ")}; after the kill: bpftrace ${gone ? "gone" : "still running"}, still loaded: ${stillLoaded(held).length}`);
        expect(gone).toBe(true);
        expect(freed).toBe(true);
      } finally {
        await k.close();
      }
    }, 90_000);
  }

  it("shutdown ends every bpftrace the kernel started", async () => {
    const marker = `ibcc_shutdown_${process.pid}`;
    const k = await KernelClient.start();
    try {
      const x = await k.execute(`%%bpftrace sd --background\ntracepoint:syscalls:sys_enter_getppid /comm == "nobody"/ { @${marker} = count(); }`, {}, 60_000);
      expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
      expect(bpftraceWith(marker)).toHaveLength(1);
      await k.shutdown();
      expect(await until(() => bpftraceWith(marker).length === 0, 5_000)).toBe(true);
    } finally {
      await k.close();
    }
  }, 90_000);
});
