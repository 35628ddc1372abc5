/**
 * Nobody let in: an unsigned connection file is refused unless explicitly
 * allowed, the kernel listens only on its connection file's ip, and the files
 * it writes are readable by their owner only.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, KernelClient } from "../support/kernel-client.js";
import { listeningAddresses, until } from "./proc.js";

const scratch = mkdtempSync(join(tmpdir(), "ibcc-access-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function connectionFile(name: string, o: { key: string; ports?: number[] }): string {
  const p = o.ports ?? [0, 0, 0, 0, 0];
  const file = join(scratch, name);
  writeFileSync(
    file,
    JSON.stringify({ transport: "tcp", ip: "127.0.0.1", shell_port: p[0], iopub_port: p[1], stdin_port: p[2], control_port: p[3], hb_port: p[4], key: o.key, signature_scheme: "hmac-sha256" }),
  );
  return file;
}

/** Runs `ibcc kernel ARGS` until it exits or `stopWhen` sees its stderr; then kills it. */
function runKernel(args: string[], env: Record<string, string>, stopWhen: RegExp, ms = 30_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, "kernel", ...args], { env: { ...process.env, IBCC_DATA_DIR: join(scratch, "data"), ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
    proc.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stopWhen.test(stderr)) proc.kill("SIGKILL");
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("unsigned connection files", () => {
  it("refuses an empty key without --allow-unsigned, naming the way to allow it", async () => {
    const file = connectionFile("unsigned.json", { key: "" });
    const r = await runKernel([file], { IBCC_ALLOW_UNSIGNED: "" }, /^$/);
    console.log(`refused: exit ${r.code}; stderr: ${r.stderr.trim()}`);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/empty "key"/);
    expect(r.stderr).toMatch(/--allow-unsigned/);
    expect(r.stderr).toMatch(/IBCC_ALLOW_UNSIGNED=1/);
  });

  it("serves an empty key with --allow-unsigned, with a warning on stderr", async () => {
    const file = connectionFile("unsigned-flag.json", { key: "" });
    const r = await runKernel(["--allow-unsigned", file], { IBCC_ALLOW_UNSIGNED: "" }, /WARNING.*UNSIGNED/);
    console.log(`--allow-unsigned: ${r.stderr.trim().split("\n")[0]}`);
    expect(r.stderr).toMatch(/WARNING: .* empty "key"; running UNSIGNED/);
  });

  it("serves an empty key with IBCC_ALLOW_UNSIGNED=1 and answers unsigned requests", async () => {
    const k = await KernelClient.start({ key: "", env: { IBCC_ALLOW_UNSIGNED: "1" } });
    try {
      expect((await k.execute("40 + 2")).reply.content.status).toBe("ok");
      expect(k.stderr).toMatch(/running UNSIGNED/);
    } finally {
      await k.close();
    }
  });

  it("prints the option in ibcc --help", async () => {
    const out = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, [CLI, "--help"], { stdio: ["ignore", "pipe", "ignore"] });
      let s = "";
      p.stdout.on("data", (d: Buffer) => (s += d.toString()));
      p.on("exit", () => resolve(s));
    });
    expect(out).toMatch(/--allow-unsigned/);
    expect(out).toMatch(/IBCC_ALLOW_UNSIGNED=1/);
  });
});

describe("where the kernel listens", () => {
  it("binds only the connection file's ip: every port on 127.0.0.1, none reachable on 127.0.0.2", async () => {
    const dataDir = join(scratch, "bind-data");
    const k = await KernelClient.start({ env: { IBCC_DATA_DIR: dataDir } });
    try {
      const ports = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"].map((p) => Number(k.connection[p]));
      // The kernel answers kernel_info while its other sockets still bind (on the control worker).
      let listening: string[] = [];
      await until(() => (listening = listeningAddresses(k.proc.pid!)).length >= ports.length, 10_000);
      console.log(`ss -ltnp for pid ${k.proc.pid}: ${listening.join(" ")}`);
      expect(listening.sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`).sort());
      const refused: string[] = [];
      for (const port of ports) {
        const outcome = await new Promise<string>((resolve) => {
          const s = connect({ host: "127.0.0.2", port });
          s.once("connect", () => (s.destroy(), resolve("connected")));
          s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        });
        refused.push(`${port}:${outcome}`);
      }
      console.log(`connects to 127.0.0.2: ${refused.join(" ")}`);
      expect(refused.every((r) => r.endsWith("ECONNREFUSED"))).toBe(true);
    } finally {
      await k.close();
    }
  });
});

describe("files the kernel writes", () => {
  it("keeps history and the written-back connection file at 0600 (data dir 0700)", async () => {
    const dataDir = join(scratch, "mode-data");
    const k = await KernelClient.start({ env: { IBCC_DATA_DIR: dataDir } });
    try {
      await k.execute("const secret = 'x'");
      const history = join(dataDir, "history.jsonl");
      expect(await until(() => statSync(history, { throwIfNoEntry: false }) !== undefined, 5000)).toBe(true);
      const modes = { history: statSync(history).mode & 0o777, dataDir: statSync(dataDir).mode & 0o777 };
      console.log(`history ${modes.history.toString(8)}, data dir ${modes.dataDir.toString(8)}`);
      expect(modes.history).toBe(0o600);
      expect(modes.dataDir).toBe(0o700);
    } finally {
      await k.close();
    }

    // Ports 0 make the kernel pick its own and write them back into the file,
    // which was created world-readable here.
    const file = connectionFile("pick-ports.json", { key: "k" });
    chmodSync(file, 0o644);
    const proc = spawn(process.execPath, [CLI, "kernel", file], { env: { ...process.env, IBCC_DATA_DIR: dataDir }, stdio: "ignore" });
    try {
      const written = await until(() => (JSON.parse(readFileSync(file, "utf8")) as { shell_port: number }).shell_port !== 0, 20_000);
      expect(written).toBe(true);
      const mode = statSync(file).mode & 0o777;
      console.log(`written-back connection file ${mode.toString(8)}`);
      expect(mode).toBe(0o600);
    } finally {
      proc.kill("SIGKILL");
    }
  });
});
