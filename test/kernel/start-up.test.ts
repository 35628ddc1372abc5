/**
 * Start-up: the kernel answers kernel_info, and a plain first cell, before
 * TypeScript and the BPF side have loaded, with the same facts as before;
 * requests that need them, sent at once, wait for them and succeed; and
 * TypeScript's fast loader keeps its code cache private and shares its
 * instance with plain imports.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, type KernelClient } from "../support/kernel-client.js";
import { startKernel } from "./kernel-env.js";

const scratch = mkdtempSync(join(tmpdir(), "ibcc-start-up-"));
const kernels: KernelClient[] = [];
afterAll(async () => {
  for (const k of kernels) await k.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function start(name: string, env: Record<string, string> = {}): Promise<{ k: KernelClient; trace: string }> {
  const trace = join(scratch, `${name}.trace`);
  const k = await startKernel({ env: { IBCC_START_TRACE: trace, ...env } });
  kernels.push(k);
  return { k, trace };
}

/** Milestone name to ms since the kernel process began. */
function milestones(trace: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of readFileSync(trace, "utf8").trim().split("\n")) {
    const [t, , ...what] = line.split(" ");
    m.set(what.join(" ").replace(/ \(.*\)$/, ""), Number(t));
  }
  return m;
}

describe("before TypeScript and the BPF side have loaded", () => {
  it("answers kernel_info with the language, versions and environment facts, and a plain cell", async () => {
    // Nothing loads of its own accord here: only a request that needs it loads it.
    const { k, trace } = await start("info", { IBCC_IDLE_LOAD_MS: "600000" });
    const { reply } = await k.request("shell", "kernel_info_request", {});
    const info = reply.content;
    expect(info.status).toBe("ok");
    expect(info.implementation).toBe("ibcc");
    expect(info.language_info.name).toBe("typescript");
    expect(info.language_info.version).toMatch(/^\d+\.\d+/);
    expect(info.language_info.ibcc.kernel_release).toBeTruthy();
    // Read before the sockets opened, from the BPF side's small environment module.
    expect(info.language_info.ibcc.libbcc_version).toMatch(/^\d+\.\d+\.\d+$/);
    const x = await k.execute("Math.max(1, 2) + 40");
    expect(x.outputs.find((o) => o.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("42");
    const before = milestones(trace);
    console.log(`start-up milestones (ms): ${[...before].map(([w, t]) => `${w} ${t.toFixed(0)}`).join(", ")}`);
    expect(before.has("engine loaded")).toBe(true);
    expect(before.has("compiler loaded")).toBe(false);
    expect(before.has("plugin loaded")).toBe(false);
    // A cell that needs TypeScript and one that needs the BPF side load them.
    const typed = await k.execute("const n: number = 42\nn");
    expect(typed.outputs.find((o) => o.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("42");
    const bpf = await k.execute("typeof BPF");
    expect(bpf.outputs.find((o) => o.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("'function'");
    const after = milestones(trace);
    expect(after.has("compiler loaded") && after.has("plugin loaded")).toBe(true);
  });

  it("completes and runs a cell sent right after the first reply", async () => {
    const { k } = await start("first");
    const c = await k.request("shell", "complete_request", { code: "Math.ab", cursor_pos: 7 }, 120_000);
    expect(c.reply.content.status).toBe("ok");
    expect(c.reply.content.matches).toContain("abs");
    const x = await k.execute("const n: number = 20 + 22\nn", {}, 120_000);
    expect(x.reply.content.status).toBe("ok");
    expect(x.outputs.find((o) => o.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("42");
  });
});

describe("TypeScript's fast loader", () => {
  const loader = join(ROOT, "dist/kernel/engine/typescript.js");
  /** Runs `body` in a fresh node with the loader imported as `l`; returns its JSON output. */
  const run = (cacheDir: string, body: string): any =>
    JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", `const l = await import(${JSON.stringify(loader)}); ${body}`], {
        cwd: ROOT,
        env: { ...process.env, IBCC_CACHE_DIR: cacheDir },
        encoding: "utf8",
      }),
    );

  it("writes its code cache 0600 in a 0700 folder, uses it next time, and ignores one others may write", () => {
    const dir = join(scratch, "cache");
    const first = run(dir, `l.ts.transpileModule("let x: number = 1", {}); l.saveTypeScriptCache(); console.log(JSON.stringify(l.typeScriptLoad()))`);
    expect(first.cacheUsed).toBe(false);
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^typescript-.*\.main\.v8cache$/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);

    const second = run(dir, `console.log(JSON.stringify({ ...l.typeScriptLoad(), out: l.ts.transpileModule("let x: number = 1", {}).outputText }))`);
    expect(second.cacheUsed).toBe(true);
    expect(second.out).toMatch(/\bx = 1;/);

    // Compiled code runs as the kernel (root): a cache another user could have written is never used.
    chmodSync(join(dir, file), 0o666);
    expect(run(dir, `console.log(JSON.stringify(l.typeScriptLoad()))`).cacheUsed).toBe(false);
  });

  it("is the instance a plain import of typescript gets afterwards, and reuses one loaded before", () => {
    const dir = join(scratch, "cache-share");
    expect(run(dir, `const plain = (await import("typescript")).default; console.log(JSON.stringify(plain === l.ts))`)).toBe(true);
    const before = JSON.parse(
      execFileSync(
        process.execPath,
        ["--input-type=module", "-e", `const plain = (await import("typescript")).default; const l = await import(${JSON.stringify(loader)}); console.log(JSON.stringify({ same: plain === l.ts, shared: l.typeScriptLoad().shared }))`],
        { cwd: ROOT, env: { ...process.env, IBCC_CACHE_DIR: dir }, encoding: "utf8" },
      ),
    );
    expect(before).toEqual({ same: true, shared: true });
  });
});

describe("a client whose iopub joins after the first reply", () => {
  it("still gets that request's status messages: iopub holds what it published before the first subscription", async () => {
    const k = await startKernel({ iopubLate: true, env: { IBCC_IDLE_LOAD_MS: "600000" } });
    kernels.push(k);
    // Without the hold, the busy and idle of that kernel_info were lost and
    // the readiness check (jupyter_client's too) asked again a second later.
    expect(k.readyRequests).toBe(1);
    const busy = k.iopubLog.find((m) => m.header.msg_type === "status");
    expect(busy?.content.execution_state).toBe("busy");
    // Its idle follows, held or not (the kernel may publish it after the subscription).
    const idle = await k.waitFor((m, ch) => ch === "iopub" && m.parent_header.msg_id === busy!.parent_header.msg_id && m.content.execution_state === "idle", 5000);
    expect(idle.header.msg_type).toBe("status");
    // From then on iopub is live as before.
    const x = await k.execute("40 + 2");
    expect(x.outputs.find((o) => o.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("42");
  });
});
