/**
 * Limits: the kernel raises RLIMIT_MEMLOCK at start (or says why not), and a
 * kernel run as an unprivileged user answers a %%bpf cell with a message that
 * names the capabilities BPF needs, while TypeScript cells still work.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chargesCgroup, currentMemlock, raiseMemlockOrReport } from "../../magics/memlock.js";
import { release } from "node:os";
import { CLI, KernelClient, freePorts } from "../support/kernel-client.js";
import { RawClient } from "./raw-client.js";
import { until } from "./proc.js";

const scratch = mkdtempSync(join(tmpdir(), "ibcc-limits-"));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Whether this test process holds a capability (by number) in its effective set. */
function hasCapability(bit: number): boolean {
  const hex = /CapEff:\s+([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"))![1];
  return ((BigInt(`0x${hex}`) >> BigInt(bit)) & 1n) === 1n;
}

const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");

const CAP_SYS_RESOURCE = 24;

describe("RLIMIT_MEMLOCK", () => {
  it("matters only before 5.11: later kernels charge BPF memory to the memory cgroup", () => {
    const cases: [string, boolean][] = [
      ["4.19.0-26-amd64", false],
      ["5.10.0-28-cloud-amd64", false],
      ["5.11.0", true],
      ["5.15.0-91-generic", true],
      ["6.1.0-18-amd64", true],
      ["6.18.44-fc-v782", true],
    ];
    for (const [release, charges] of cases) expect(chargesCgroup(release), release).toBe(charges);
  });

  it("is raised, or the reason is kept and reported only where the limit matters", async () => {
    const written: string[] = [];
    const o = await raiseMemlockOrReport((t) => written.push(t));
    const canRaise = hasCapability(CAP_SYS_RESOURCE);
    console.log(
      `memlock in this process: raised ${o.raised}, now ${o.limit}; CAP_SYS_RESOURCE ${canRaise ? "held" : "not held"}` +
        (o.raised ? "" : `; why not: ${o.reason}`) +
        `; kernel ${release()} ${chargesCgroup() ? "charges the cgroup (5.11+): nothing to report" : "charges the limit (before 5.11): report expected"}`,
    );
    if (o.raised) {
      expect(o.limit).toBe("soft unlimited, hard unlimited");
      expect(written).toEqual([]);
      return;
    }
    expect(o.reason).toBeTruthy();
    if (!canRaise) expect(o.reason).toMatch(/not permitted|EPERM|prlimit/i);
    if (chargesCgroup()) expect(written).toEqual([]);
    else expect(written.join("")).toMatch(new RegExp(`could not raise RLIMIT_MEMLOCK to unlimited \\(.+\\); locked-memory limit is ${o.limit}`));
  });

  it("is raised to unlimited before the first cell runs, or to the hard limit and reported", async () => {
    const k = await KernelClient.start();
    try {
      // kernel_info does not wait for prlimit; cells do.
      expect((await k.execute("1")).reply.content.status).toBe("ok");
      const limit = currentMemlock(k.proc.pid!);
      const canRaise = hasCapability(CAP_SYS_RESOURCE);
      console.log(
        `memlock of the kernel (pid ${k.proc.pid}): ${limit}; of this test process: ${currentMemlock()}; ` +
          (canRaise
            ? "CAP_SYS_RESOURCE held: expect unlimited"
            : `raising not exercised here: CAP_SYS_RESOURCE is not in this process's effective set (${/CapEff:\s+(\S+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]}), ` +
              `so prlimit is refused even for root; expect soft = hard` +
              (chargesCgroup() ? `, and no report (kernel ${release()} charges BPF memory to its cgroup)` : ", and a report on stderr")),
      );
      if (canRaise) expect(limit).toBe("soft unlimited, hard unlimited");
      else {
        const [, soft, hard] = /soft (\S+), hard (\S+)/.exec(limit)!;
        expect(soft).toBe(hard);
        if (chargesCgroup()) {
          // 5.11 and later charge BPF memory to the cgroup: the limit is moot, and saying so would be noise.
          expect(k.stderr).not.toMatch(/could not raise RLIMIT_MEMLOCK/);
        } else {
          expect(await until(() => /could not raise RLIMIT_MEMLOCK/.test(k.stderr), 5000)).toBe(true);
          console.log(`kernel stderr: ${k.stderr.split("\n").find((l) => /MEMLOCK/.test(l))}`);
        }
      }
    } finally {
      await k.close();
    }
  });

  it("on 5.11 and later, a kernel held to 64 KiB of locked memory still loads a 16 MiB map", async () => {
    // Lowering a limit needs no privilege, so this runs anywhere: prlimit starts
    // the kernel with soft = hard = 64 KiB, which the kernel cannot raise.
    const k = await startWith(["prlimit", "--memlock=65536:65536"], "low-memlock");
    const c = new RawClient(k.connection);
    try {
      expect(await ready(c, k)).toBe(true);
      const limit = currentMemlock(k.proc.pid!);
      const bpf = await c.reply(
        c.execute("%%bpf big\nBPF_ARRAY(big, u64, 2097152);\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) { u32 k = 0; u64 *v = big.lookup(&k); if (v) (*v)++; return 0; }\n%%ts\n%detach big"),
        120_000,
      );
      const text = plain(`${bpf.content.ename ?? ""}: ${bpf.content.evalue ?? ""}`);
      const report = k.stderr().split("\n").find((l) => /MEMLOCK/.test(l));
      console.log(`kernel under prlimit: ${limit}; 16 MiB array -> ${bpf.content.status}${bpf.content.status === "ok" ? "" : ` (${text})`}; stderr: ${report ?? "(nothing about memlock)"}`);
      expect(limit).toBe("soft 65536, hard 65536");
      if (chargesCgroup()) {
        expect(bpf.content.status).toBe("ok");
        expect(report).toBeUndefined();
      } else {
        // Before 5.11 the map counts against the limit: the load fails, and start-up said why.
        expect(report).toMatch(/could not raise RLIMIT_MEMLOCK/);
      }
    } finally {
      c.close();
      k.proc.kill("SIGKILL");
      await until(() => k.proc.exitCode !== null || k.proc.signalCode !== null, 5000);
    }
  }, 180_000);
});

/** Answers kernel_info within a minute (the kernel is up). */
async function ready(c: RawClient, k: { proc: ChildProcess; stderr: () => string }): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    const id = c.send("shell", "kernel_info_request", {});
    if (await c.reply(id, 1000).then(() => true, () => false)) return true;
    if (k.proc.exitCode !== null) throw new Error(`kernel exited: ${k.stderr()}`);
  }
  return false;
}

/** Starts `ibcc kernel` behind a wrapper command (setpriv, prlimit) in a directory of its own. */
async function startWith(wrapper: string[], name: string): Promise<{ proc: ChildProcess; connection: Record<string, unknown>; stderr: () => string }> {
  const dir = join(scratch, name);
  mkdirSync(dir, { mode: 0o777 });
  chmodSync(dir, 0o777);
  const ports = await freePorts(5);
  const connection = { transport: "tcp", ip: "127.0.0.1", shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4], key: randomUUID(), signature_scheme: "hmac-sha256" };
  const file = join(dir, "kernel.json");
  writeFileSync(file, JSON.stringify(connection));
  chmodSync(file, 0o644); // readable by nobody; this test's key is throw-away
  const proc = spawn(wrapper[0], [...wrapper.slice(1), process.execPath, CLI, "kernel", file], {
    env: { ...process.env, HOME: dir, IBCC_DATA_DIR: join(dir, "data") },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return { proc, connection, stderr: () => stderr };
}

/** Starts `ibcc kernel` as nobody (uid/gid 65534, no groups, no capabilities). */
const startUnprivileged = () => startWith(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"], "nobody");

describe("without the capabilities BPF needs", () => {
  it("a %%bpf cell names CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN; TypeScript cells work", async () => {
    const k = await startUnprivileged();
    const c = new RawClient(k.connection);
    try {
      expect(await ready(c, k)).toBe(true);
      const ts = await c.reply(c.execute("const who = process.getuid(); who"));
      expect(ts.content.status).toBe("ok");
      const tsResult = await c.waitFor((m) => m.header.msg_type === "execute_result" && m.parent_header.msg_id === ts.parent_header.msg_id);
      const bpf = await c.reply(c.execute("%%bpf p\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }"), 60_000);
      const text = plain(`${bpf.content.ename}: ${bpf.content.evalue}\n${(bpf.content.traceback ?? []).join("\n")}`);
      const after = await c.reply(c.execute("who + 1"));
      console.log(`unprivileged kernel (uid ${tsResult.content.data["text/plain"]}): %%bpf -> ${text.split("\n").slice(0, 3).join(" | ")}`);
      console.log(`unprivileged kernel stderr: ${k.stderr().trim().split("\n").filter((l) => /memlock|MEMLOCK/i.test(l)).join(" ") || "(nothing about memlock)"}`);
      expect(tsResult.content.data["text/plain"]).toBe("65534");
      expect(bpf.content.status).toBe("error");
      expect(text).toMatch(/CAP_BPF/);
      expect(text).toMatch(/CAP_PERFMON/);
      expect(text).toMatch(/CAP_SYS_ADMIN/);
      expect(after.content.status).toBe("ok");
      // The limit could not be raised without CAP_SYS_RESOURCE: reported where it matters (before 5.11).
      if (chargesCgroup()) expect(k.stderr()).not.toMatch(/could not raise RLIMIT_MEMLOCK/);
      else expect(k.stderr()).toMatch(/could not raise RLIMIT_MEMLOCK.*locked-memory limit is soft/);
    } finally {
      c.close();
      k.proc.kill("SIGKILL");
      await until(() => k.proc.exitCode !== null || k.proc.signalCode !== null, 5000);
    }
  }, 120_000);
});
