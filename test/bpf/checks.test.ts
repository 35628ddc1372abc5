/**
 * The checks %%bpf adds to what libbcc says, through a real Jupyter client:
 * padding holes in hash keys and event records, clang notes that point into
 * BCC's generated code, and the headers note shown once as a display.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";
import { headersInfo } from "../../magics/headers-check.js";
import { tracepointExists } from "../../magics/diagnostics/hooks.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping check tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);
const headersDiffer = !headersInfo().matches;
if (!headersDiffer) console.log("skipping the headers note test: the kernel headers here are the running kernel's");

/** A %%bpf block of the course, as notebooks/src/06-disk-and-structs.md has it. */
function courseBlock(name: string): string {
  const md = readFileSync(new URL("../../notebooks/src/06-disk-and-structs.md", import.meta.url), "utf8");
  const m = new RegExp("```ibcc[^\\n]*\\n(%%bpf " + name + "\\n[\\s\\S]*?)\\n```").exec(md);
  if (!m) throw new Error(`no %%bpf ${name} block in notebooks/src/06-disk-and-structs.md`);
  return m[1];
}

/** biosnoop as the course first had it: a designated initializer fills a key with a hole. */
const OLD_BIOSNOOP = `%%bpf biosnoop
struct key_t { u32 dev; u64 sector; };
struct line_t { u64 sector; u64 us; u32 major; u32 minor; u32 bytes; char comm[16]; char rwbs[8]; };
BPF_HASH(inflight, struct key_t, u64);
BPF_PERF_OUTPUT(events);
TRACEPOINT_PROBE(block, block_rq_issue) {
    struct key_t key = { .dev = args->dev, .sector = args->sector };
    u64 ts = bpf_ktime_get_ns();
    inflight.update(&key, &ts);
    return 0;
}
TRACEPOINT_PROBE(block, block_rq_complete) {
    struct key_t key = { .dev = args->dev, .sector = args->sector };
    u64 *tsp = inflight.lookup(&key);
    if (!tsp) return 0;
    struct line_t line = { .sector = args->sector, .us = (bpf_ktime_get_ns() - *tsp) / 1000, .bytes = args->nr_sector * 512 };
    events.perf_submit(args, &line, sizeof(line));
    inflight.delete(&key);
    return 0;
}`;

const stderr = (x: Execution) =>
  stripAnsi(x.outputs.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text).join(""));
const ok = (x: Execution) => {
  if (x.reply.content.status !== "ok") throw new Error(`cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}\n${stripAnsi((x.reply.content.traceback ?? []).join("\n"))}`);
  return x;
};

const KEYED = (key: string, fill: string) =>
  `${key}\nBPF_HASH(h, struct key_t, u64);\nTRACEPOINT_PROBE(raw_syscalls, sys_enter) {\n  ${fill}\n  h.increment(k);\n  return 0;\n}`;

describe.skipIf(!built)("%%bpf checks through a Jupyter client", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  });
  afterAll(async () => {
    await k?.close();
  });

  it.skipIf(!headersDiffer)("shows the headers note once, as a markdown display, not on stderr", async () => {
    const first = ok(await k.execute("%%bpf one --no-attach\nBPF_ARRAY(a, u64, 1);", {}, 60_000));
    const notes = first.outputs.filter((m) => m.header.msg_type === "display_data");
    expect(notes).toHaveLength(1);
    expect(Object.keys(notes[0].content.data)).toEqual(expect.arrayContaining(["text/markdown", "text/plain"]));
    expect(notes[0].content.data["text/markdown"]).toMatch(/\*\*Note:\*\* the kernel headers are for `.+`, not the running kernel/);
    expect(first.outputs.some((m) => m.header.msg_type === "stream" && m.content.name === "stderr")).toBe(false);
    const second = ok(await k.execute("%%bpf two --no-attach\nBPF_ARRAY(a, u64, 1);", {}, 60_000));
    expect(second.outputs.filter((m) => m.header.msg_type === "display_data")).toHaveLength(0);
    ok(await k.execute("%detach one\n%detach two"));
  });

  it.skipIf(!tracepointExists("block", "block_rq_issue"))("warns of a biosnoop key's hole on struct key_t's cell line", async () => {
    // A line of TypeScript first: the %%bpf header is cell line 2, struct key_t line 3.
    const x = ok(await k.execute(`const devices = 1;\n${OLD_BIOSNOOP}`, {}, 90_000));
    const err = stderr(x);
    expect(err).toMatch(/^cell line 3, col 1: warning: struct key_t, the key of inflight, has 4 bytes of padding: 4 bytes after dev \(offsets 4-7\)/m);
    expect(err).toMatch(/^ {4}struct key_t \{ u32 dev; u64 sector; \};$/m);
    expect(err).toMatch(/hint: __builtin_memset\(&key, 0, sizeof\(key\)\) before filling it/);
    expect(err).toMatch(/__attribute__\(\(packed\)\)/);
    // Its event record has tail padding too, and is filled by a designated initializer.
    expect(err).toMatch(/cell line 4, col 1: warning: struct line_t, the event record of events, has 4 bytes of padding: 4 bytes at the end/);
    // Still loaded and attached: a warning, not an error.
    expect(String(x.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"])).toMatch(/block:block_rq_issue/);
    ok(await k.execute("%detach biosnoop"));
  });

  it.skipIf(!tracepointExists("block", "block_rq_issue"))("the course's padding trap warns; its fixed biosnoop, zeroing keys in a helper, does not", async () => {
    const trap = ok(await k.execute(`const devices2 = 1;\n${courseBlock("padding")}`, {}, 90_000));
    expect(stderr(trap)).toMatch(/^cell line 3, col 1: warning: struct key_t, the key of by_initializer, has 4 bytes of padding/m);
    const fixed = ok(await k.execute(courseBlock("biosnoop"), {}, 90_000));
    expect(stderr(fixed)).not.toMatch(/warning/);
    ok(await k.execute("%detach padding\n%detach biosnoop"));
  });

  it("says nothing of a packed key, a key without holes, or one zeroed before use", async () => {
    const cells = [
      KEYED("struct key_t { u32 dev; u64 sector; } __attribute__((packed));", "struct key_t k = { .dev = 1, .sector = 2 };"),
      KEYED("struct key_t { u64 sector; u32 dev; u32 part; };", "struct key_t k = { .dev = 1, .sector = 2 };"),
      KEYED("struct key_t { u32 dev; u64 sector; };", "struct key_t k;\n  __builtin_memset(&k, 0, sizeof(k));\n  k.dev = 1;"),
      KEYED("struct key_t { u32 dev; u64 sector; };", "struct key_t k = {};\n  k.dev = 1;"),
    ];
    for (const [i, body] of cells.entries()) {
      const x = ok(await k.execute(`%%bpf quiet${i}\n${body}`, {}, 90_000));
      expect(stderr(x), body).toBe("");
      ok(await k.execute(`%detach quiet${i}`));
    }
  });

  it("warns of a hole in a nested key struct and in a perf_submit record", async () => {
    const nested = ok(
      await k.execute(
        "%%bpf nest\nstruct inner { u16 a; u32 b; };\nstruct key_t { char tag; struct inner in; };\n" +
          "BPF_HASH(h, struct key_t, u64);\nTRACEPOINT_PROBE(raw_syscalls, sys_enter) {\n  struct key_t k = { .tag = 1, .in = { .a = 1 } };\n  h.increment(k);\n  return 0;\n}",
        {},
        90_000,
      ),
    );
    expect(stderr(nested)).toMatch(/cell line 3, col 1: warning: struct key_t, the key of h, has 5 bytes of padding: 3 bytes after tag \(offsets 1-3\), 2 bytes after in\.a \(offsets 6-7\)/);
    ok(await k.execute("%detach nest"));

    const perf = ok(
      await k.execute(
        "%%bpf ev\nstruct data_t {\n  u32 pid;\n  u64 ts;\n};\nBPF_PERF_OUTPUT(events);\n" +
          "TRACEPOINT_PROBE(sched, sched_process_exec) {\n  struct data_t d;\n  d.pid = bpf_get_current_pid_tgid() >> 32;\n  d.ts = bpf_ktime_get_ns();\n" +
          "  events.perf_submit(args, &d, sizeof(d));\n  return 0;\n}",
        {},
        90_000,
      ),
    );
    const err = stderr(perf);
    console.log(err);
    expect(err).toMatch(/^cell line 2, col 1: warning: struct data_t, the event record of events, has 4 bytes of padding: 4 bytes after pid \(offsets 4-7\)/m);
    expect(err).toMatch(/hint: __builtin_memset\(&d, 0, sizeof\(d\)\)/);
    ok(await k.execute("%detach ev"));
  });

  it("says a clang note in BCC's generated code is there, not on a cell line", async () => {
    // Seven cell lines; libbcc's args struct for the tracepoint shares their numbers.
    const x = await k.execute(
      "%%bpf note\nBPF_HASH(h, u32, u64);\nTRACEPOINT_PROBE(sched, sched_switch) {\n  u32 k = args->prev_pidd;\n  h.increment(k);\n  return 0;\n}",
      {},
      90_000,
    );
    expect(x.reply.content.status).toBe("error");
    const tb = stripAnsi(x.reply.content.traceback.join("\n"));
    console.log(tb);
    expect(tb).toMatch(/cell line 4, col \d+: error: no member named 'prev_pidd'/);
    expect(tb).toMatch(/^in BCC's args struct for tracepoint sched:sched_switch \(its fields: \/\S+\/events\/sched\/sched_switch\/format\): note: 'prev_pid' declared here$/m);
    expect(tb).not.toMatch(/cell line \d+, col \d+: note/);
  });
});
