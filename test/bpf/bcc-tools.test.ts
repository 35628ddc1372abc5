/**
 * BCC's own tools' BPF C, unmodified, in %%bpf cells through a real Jupyter
 * client: what is attached is what exists after the preprocessor, as BCC's
 * Python front end attaches it. The texts under bcc-tools/ are the program
 * strings of Debian's bpfcc-tools 0.26 (/usr/sbin/syscount-bpfcc,
 * bitesize-bpfcc), copied verbatim.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";
import { tracepointExists } from "../../magics/diagnostics/hooks.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping BCC tool tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);

const tool = (name: string) => readFileSync(new URL(`./bcc-tools/${name}.c`, import.meta.url), "utf8");

const result = (x: Execution) => String(x.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"] ?? "");
const stderr = (x: Execution) =>
  stripAnsi(x.outputs.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text).join(""));
const ok = (x: Execution) => {
  if (x.reply.content.status !== "ok") throw new Error(`cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}\n${stripAnsi((x.reply.content.traceback ?? []).join("\n"))}`);
  return x;
};

describe.skipIf(!built)("BCC tools' C, unmodified", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
    // The headers note comes with the first block; let it come here.
    ok(await k.execute("%%bpf warmup --no-attach\nBPF_ARRAY(a, u64, 1);", {}, 60_000));
  }, 90_000);
  afterAll(async () => {
    await k?.close();
  });

  it("syscount attaches sys_exit alone without LATENCY, and sys_enter too with it", async () => {
    const plain = ok(await k.execute(`%%bpf sc\n${tool("syscount")}`, {}, 90_000));
    console.log(result(plain));
    expect(result(plain)).toMatch(/tracepoint raw_syscalls:sys_exit/);
    expect(result(plain)).not.toMatch(/sys_enter/);
    expect(stderr(plain)).toBe("");
    // This cell makes syscalls itself: the counts cannot stay empty.
    const n = ok(await k.execute("await new Promise((r) => setTimeout(r, 300));\nsc.maps.data.size", {}, 30_000));
    expect(Number(result(n))).toBeGreaterThan(0);

    const latency = ok(await k.execute(`%%bpf scl --cflags "-DLATENCY"\n${tool("syscount")}`, {}, 90_000));
    console.log(result(latency));
    expect(result(latency)).toMatch(/tracepoint raw_syscalls:sys_enter/);
    expect(result(latency)).toMatch(/tracepoint raw_syscalls:sys_exit/);
    expect(stderr(latency)).toBe("");
    const t = ok(await k.execute("await new Promise((r) => setTimeout(r, 300));\n[...scl.maps.data.entries()].some(([, v]) => v.count > 0n && v.total_ns > 0n)", {}, 30_000));
    expect(result(t)).toBe("true");
    ok(await k.execute("%detach sc\n%detach scl"));
  });

  it("syscount with BY_PROCESS and a FILTER_PID given as -D options", async () => {
    const x = ok(await k.execute(`%%bpf scp -DLATENCY -DBY_PROCESS -DFILTER_PID=${process.pid}\n${tool("syscount")}`, {}, 90_000));
    expect(result(x)).toMatch(/raw_syscalls:sys_enter[\s\S]*raw_syscalls:sys_exit|raw_syscalls:sys_exit[\s\S]*raw_syscalls:sys_enter/);
    ok(await k.execute("%detach scp"));
  });

  it.skipIf(!tracepointExists("block", "block_rq_issue"))("bitesize attaches block:block_rq_issue", async () => {
    const x = ok(await k.execute(`%%bpf bs\n${tool("bitesize")}`, {}, 90_000));
    expect(result(x)).toMatch(/tracepoint block:block_rq_issue/);
    expect(stderr(x)).toBe("");
    ok(await k.execute("%detach bs"));
  });

  it("an #if 0'd kprobe__ function is not asked for; the tracepoint next to it attaches", async () => {
    const body = [
      "BPF_ARRAY(n, u64, 1);",
      "#if 0",
      "int kprobe__vfs_read(struct pt_regs *ctx) { return 0; }",
      "#endif",
      "TRACEPOINT_PROBE(raw_syscalls, sys_enter) { int z = 0; n.increment(z); return 0; }",
    ].join("\n");
    const x = ok(await k.execute(`%%bpf off\n${body}`, {}, 90_000));
    expect(result(x)).toMatch(/tracepoint raw_syscalls:sys_enter/);
    expect(result(x)).not.toMatch(/kprobe/);
    ok(await k.execute("%detach off"));
  });

  it("an option naming a function the preprocessor removed is NoSuchFunction, saying so", async () => {
    const body = "#ifdef NEVER\nint f(void *ctx) { return 0; }\n#endif\nint g(void *ctx) { return 0; }";
    const x = await k.execute(`%%bpf gone --tracepoint raw_syscalls:sys_enter=f\n${body}`, {}, 90_000);
    expect(x.reply.content.status).toBe("error");
    expect(x.reply.content.ename).toBe("NoSuchFunction");
    console.log(x.reply.content.evalue);
    expect(x.reply.content.evalue).toMatch(/names f\(\).*preprocessor left it out.*its functions are g/);
  });
});
