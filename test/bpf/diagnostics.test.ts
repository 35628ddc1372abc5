import { describe, expect, it } from "vitest";
import { compileFailure, toCell, formatDiagnostic } from "../../magics/diagnostics/compile.js";
import { dedupeLog, mapSourceNotes, summarizeVerifierLog, verifierFailure } from "../../magics/diagnostics/verifier.js";
import { missingHookError, nearTracepoints, tracepointExists, unknownTracepointError } from "../../magics/diagnostics/hooks.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";
import { holesOfDesc } from "../../magics/diagnostics/padding.js";
import { declarationsOf } from "../../magics/diagnostics/zeroed.js";

describe("compile diagnostics", () => {
  const body = "int x = 1;\nint f(void) {\n  return y;\n}";
  const map = { headerLine: 3, preludeLines: 2, body };
  it("renumbers to the cell's lines, accounting for the prelude", () => {
    const d = toCell({ file: "/virtual/main.c", line: 5, column: 10, severity: "error", message: "use of undeclared identifier 'y'" }, map);
    expect(d.cellLine).toBe(6);
    expect(formatDiagnostic(d, map, false)).toEqual([
      "cell line 6, col 10: error: use of undeclared identifier 'y'",
      "      return y;",
      "             ^",
    ]);
  });
  it("leaves diagnostics in headers or the prelude with their own file", () => {
    expect(toCell({ file: "main.c", line: 1, column: 1, severity: "error", message: "m" }, map).cellLine).toBeUndefined();
    expect(toCell({ file: "/usr/include/x.h", line: 5, column: 1, severity: "error", message: "m" }, map).cellLine).toBeUndefined();
  });
  it("builds a CellError naming the first error", () => {
    const e = compileFailure(
      [
        { file: "main.c", line: 3, column: 1, severity: "warning", message: "w" },
        { file: "main.c", line: 5, column: 10, severity: "error", message: "boom" },
        { file: "main.c", line: 6, column: 1, severity: "error", message: "two" },
      ],
      map,
    );
    expect(e.ename).toBe("CompileError");
    expect(e.evalue).toBe("cell line 6: boom (and 1 more error)");
    expect(e.traceback.map(stripAnsi).join("\n")).toContain("cell line 6, col 10: error: boom");
  });
});

describe("verifier summaries", () => {
  const log = [
    "0: R1=ctx() R10=fp0",
    "0: (b7) r1 = 0                        ; R1_w=0",
    "1: (61) r0 = *(u32 *)(r1 +0)",
    "R1 invalid mem access 'scalar'",
    "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
    "",
  ].join("\n");
  it("finds the instruction, the reason and a hint", () => {
    const s = summarizeVerifierLog(log);
    expect(s.instruction).toBe("1: (61) r0 = *(u32 *)(r1 +0)");
    expect(s.reason).toBe("R1 invalid mem access 'scalar'");
    expect(s.hint).toMatch(/NULL check|bpf_probe_read/);
    const e = verifierFailure("kern_read", log);
    expect(e.evalue).toBe("the verifier rejected kern_read: R1 invalid mem access 'scalar'");
    expect(e.log).toBe(log);
  });
  it("hints for loops, return values and map bounds", () => {
    expect(summarizeVerifierLog("back-edge from insn 10 to 4\n").hint).toMatch(/bound/);
    expect(summarizeVerifierLog("R0 !read_ok\n").hint).toMatch(/return 0/);
    expect(summarizeVerifierLog("invalid access to map value, value_size=8 off=80 size=8\n").hint).toMatch(/index/);
  });
});

describe("verifier source notes", () => {
  it("quote the user's line and its cell line", () => {
    const log = "0: R1=ctx() R10=fp0\n; TRACEPOINT_PROBE(a, b) { @ main.c:17\n0: (b7) r6 = 1\n; #endif @ main.c:3\n;  @ main.c:0\n";
    const body = "BPF_HASH(h);\nTRACEPOINT_PROBE(a, b) {\n  u32 k = 1;\n}";
    expect(mapSourceNotes(log, { body, headerLine: 10, functionLine: 2 })).toBe(
      "0: R1=ctx() R10=fp0\n; TRACEPOINT_PROBE(a, b) { @ cell line 12\n0: (b7) r6 = 1\n; u32 k = 1; @ cell line 13\n;\n",
    );
    expect(dedupeLog("a\nb\na\nb\n")).toBe("a\nb\n");
    expect(dedupeLog("a\nb\n")).toBe("a\nb\n");
  });
});

describe("missing hooks", () => {
  it("says why and what to use instead", () => {
    const e = missingHookError({ hook: "kprobe", fn: "kprobe__vfs_read", symbol: "vfs_read", ret: false });
    expect(e.evalue).toBe(
      "this kernel has no kprobes (built without CONFIG_KPROBES): use a tracepoint (TRACEPOINT_PROBE(syscalls, sys_enter_X)) or a raw tracepoint (RAW_TRACEPOINT_PROBE(X)) instead of kprobe vfs_read",
    );
  });
  // tracefs is readable by root alone.
  it.skipIf(process.getuid?.() !== 0)("lists near tracepoints from tracefs", () => {
    expect(tracepointExists("sched", "sched_switch")).toBe(true);
    expect(nearTracepoints("sched", "sched_swich")[0]).toBe("sched:sched_switch");
    expect(nearTracepoints("shed", "sched_process_exec")[0]).toBe("sched:sched_process_exec");
    expect(unknownTracepointError("f", "syscalls", "sys_enter_opn").evalue).toMatch(/did you mean syscalls:sys_enter_open/);
  });
});

describe("notes outside the user's text", () => {
  const body = "TRACEPOINT_PROBE(a, b) {\n  u32 k = args->x;\n  return 0;\n}";
  const map = { headerLine: 1, preludeLines: 0, body };
  it("say they are in BCC's generated code, past the body or where the named thing is not", () => {
    const past = toCell({ file: "/virtual/main.c", line: 5, column: 3, severity: "note", message: "m" }, map);
    expect(formatDiagnostic(past, map, false)).toEqual(["in BCC's generated code: note: m"]);
    const shared = toCell({ file: "main.c", line: 3, column: 8, severity: "note", message: "'y' declared here" }, map);
    expect(formatDiagnostic(shared, map, false)).toEqual(["in BCC's generated code: note: 'y' declared here"]);
    const own = toCell({ file: "main.c", line: 2, column: 7, severity: "note", message: "'k' declared here" }, map);
    expect(own.cellLine).toBe(3);
    const helper = toCell({ file: "/virtual/include/bcc/helpers.h", line: 9, column: 1, severity: "note", message: "m" }, map);
    expect(formatDiagnostic(helper, map, false)[0]).toBe("BCC's /virtual/include/bcc/helpers.h:9:1: note: m");
  });
});

describe("padding holes", () => {
  it("come from BCC's __pad members, nested structs, tail padding and bitfields", () => {
    const key = ["key_t", [["dev", "unsigned int"], ["__pad_1", "char", [4]], ["sector", "unsigned long long"]], "struct_packed"];
    expect(holesOfDesc(key)!.holes).toEqual([{ offset: 4, size: 4, partial: false, after: "dev" }]);
    const outer = ["o", [["c", "char"], ["__pad_1", "char", [7]], ["k", key], ["t", "unsigned short"], ["__pad_end", "char", [6]]], "struct_packed"];
    expect(holesOfDesc(outer)!.holes).toEqual([
      { offset: 1, size: 7, partial: false, after: "c" },
      { offset: 12, size: 4, partial: false, after: "k.dev" },
      { offset: 26, size: 6, partial: false, after: "t" },
    ]);
    expect(holesOfDesc(["pk", [["a", "unsigned int"], ["b", "unsigned long long"]], "struct_packed"])!.holes).toEqual([]);
    const bits = holesOfDesc(["bf", [["a", "unsigned int", 3], ["b", "unsigned long long"]], "struct"])!.holes;
    expect(bits[0]).toEqual({ offset: 0, size: 1, partial: true, after: "a" });
    expect(bits[1]).toMatchObject({ offset: 1, size: 7, partial: false });
  });
  it("finds the variables of a type, not its members, casts or parameters", () => {
    const text = "struct o { struct k in; };\nint f(struct k p) { struct k a = {}, *b, c[2]; u64 n = sizeof(struct k); struct k *d = (struct k *)0; }";
    expect(declarationsOf(text, "k").map((d) => [d.name, d.pointer, d.init])).toEqual([
      ["a", false, "{}"],
      ["b", true, undefined],
      ["c", false, undefined],
      ["d", true, "(struct k *)0"],
    ]);
  });
});
