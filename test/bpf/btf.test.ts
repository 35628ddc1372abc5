import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { kernelBtf, VMLINUX_BTF, Kind } from "../../magics/btf/parse.js";
import { resolveField, findStruct } from "../../magics/btf/resolve.js";
import { rewriteBtf, usesBtf, BtfRewriteError } from "../../magics/btf/rewrite.js";

const hasBtf = existsSync(VMLINUX_BTF);
if (!hasBtf) console.log(`skipping BTF tests: ${VMLINUX_BTF} is missing (kernel built without CONFIG_DEBUG_INFO_BTF)`);

describe.skipIf(!hasBtf)("the running kernel's BTF", () => {
  it("parses and finds task_struct", () => {
    const t0 = performance.now();
    const btf = kernelBtf();
    console.log(`parsed ${btf.types.length} BTF types in ${(performance.now() - t0).toFixed(0)} ms`);
    const ts = findStruct(btf, "struct task_struct");
    expect(ts.kind).toBe(Kind.Struct);
    expect(ts.size).toBeGreaterThan(1000);
  });
  it("resolves plain, nested, pointer and array paths", () => {
    const btf = kernelBtf();
    const pid = resolveField(btf, "task_struct", "pid");
    const tgid = resolveField(btf, "task_struct", "tgid");
    expect(pid).toMatchObject({ size: 4, signed: true, kind: "int", derefs: [] });
    // pid_t pid; pid_t tgid; are declared next to each other
    expect(tgid.offset).toBe(pid.offset + 4);
    const comm = resolveField(btf, "task_struct", "comm");
    expect(comm).toMatchObject({ size: 16, kind: "array" });
    expect(resolveField(btf, "task_struct", "comm[3]")).toMatchObject({ size: 1, offset: comm.offset + 3 });
    const parent = resolveField(btf, "task_struct", "real_parent");
    expect(parent).toMatchObject({ kind: "ptr", size: 8 });
    expect(resolveField(btf, "task_struct", "real_parent->tgid")).toMatchObject({ derefs: [{ offset: parent.offset }], offset: tgid.offset });
    const se = resolveField(btf, "task_struct", "se");
    expect(resolveField(btf, "task_struct", "se.vruntime").offset).toBeGreaterThan(se.offset);
  });
  it("explains bad paths", () => {
    const btf = kernelBtf();
    expect(() => resolveField(btf, "task_struct", "tgidd")).toThrow(/has no field 'tgidd'; near: tgid/);
    expect(() => resolveField(btf, "no_such_struct_x", "a")).toThrow(/no struct or union named 'no_such_struct_x'/);
    expect(() => resolveField(btf, "task_struct", "real_parent.tgid")).toThrow(/is a pointer: use '->tgid'/);
    expect(() => resolveField(btf, "task_struct", "pid->x")).toThrow(/not a pointer/);
  });
  it("expands the forms in place, keeping lines", () => {
    const btf = kernelBtf();
    const tgid = resolveField(btf, "task_struct", "tgid");
    const text = "int a = 1;\n// BTF_READ(x, task_struct, nope)\nu32 t = BTF_READ(task,\n  task_struct, tgid);\nint o = BTF_OFFSET(task_struct, tgid);\nchar c[16]; BTF_READ_INTO(c, task, task_struct, comm);";
    expect(usesBtf(text)).toBe(true);
    const out = rewriteBtf(text, () => btf);
    expect(out.split("\n").length).toBe(text.split("\n").length);
    expect(out).toContain(`int o = ${tgid.offset};`);
    expect(out).toContain(`__s32 __btf0 = 0; bpf_probe_read_kernel(&__btf0, 4, (void *)(__btf0_b + ${tgid.offset}))`);
    expect(out).toContain("// BTF_READ(x, task_struct, nope)");
    expect(out).toContain("sizeof(c) < 16 ? sizeof(c) : 16");
    try {
      rewriteBtf("int x;\n  u64 v = BTF_READ(t, task_struct, comm);", () => btf);
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(BtfRewriteError);
      expect((e as BtfRewriteError).line).toBe(2);
      expect((e as BtfRewriteError).column).toBe(11);
      expect((e as Error).message).toMatch(/BTF_READ_INTO/);
    }
  });
});
