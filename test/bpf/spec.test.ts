import { describe, expect, it } from "vitest";
import { parseHeader, HeaderSyntaxError } from "../../magics/spec/header.js";
import { scanConventions } from "../../magics/spec/conventions.js";
import { blockSpec, compiledSpec } from "../../magics/spec/block.js";
import { tokenize } from "../../magics/spec/tokenize.js";
import { describeAttach } from "../../magics/spec/types.js";

describe("%%bpf header", () => {
  it("defaults the name to bpf", () => {
    expect(parseHeader("")).toEqual({ name: "bpf", cflags: [], noAttach: false, attach: [] });
  });
  it("takes a name and rejects a bad one", () => {
    expect(parseHeader("counts").name).toBe("counts");
    expect(() => parseHeader("1abc")).toThrow(/valid identifier/);
    expect(() => parseHeader("class")).toThrow(/reserved/);
  });
  it("tokenizes quotes", () => {
    expect(tokenize(`a "b c" 'd e' f\\ g`)).toEqual(["a", "b c", "d e", "f g"]);
    expect(() => tokenize(`"abc`)).toThrow(HeaderSyntaxError);
  });
  it("parses every hook option", () => {
    const s = parseHeader(
      "p --tracepoint sched:sched_switch=on_switch --raw-tracepoint sys_enter=raw --kprobe do_sys_open=kp " +
        "--kretprobe do_sys_open=krp --uprobe /bin/bash:readline=rl,pid=42 --uretprobe /lib/libc.so.6:malloc=m " +
        "--perf-event cpu-clock=prof --freq 49 --xdp veth0=xdp_count --tc veth0:egress=cls --tc eth1=cls2 --socket lo=sf",
    );
    expect(s.name).toBe("p");
    expect(s.attach).toEqual([
      { hook: "tracepoint", fn: "on_switch", category: "sched", event: "sched_switch" },
      { hook: "raw_tracepoint", fn: "raw", event: "sys_enter" },
      { hook: "kprobe", fn: "kp", symbol: "do_sys_open", ret: false },
      { hook: "kprobe", fn: "krp", symbol: "do_sys_open", ret: true },
      { hook: "uprobe", fn: "rl", binary: "/bin/bash", symbol: "readline", ret: false, pid: 42 },
      { hook: "uprobe", fn: "m", binary: "/lib/libc.so.6", symbol: "malloc", ret: true, pid: undefined },
      { hook: "perf_event", fn: "prof", event: "cpu-clock", type: 1, config: 0, sampleFreq: 49 },
      { hook: "xdp", fn: "xdp_count", iface: "veth0" },
      { hook: "tc", fn: "cls", iface: "veth0", direction: "egress" },
      { hook: "tc", fn: "cls2", iface: "eth1", direction: "ingress" },
      { hook: "socket_filter", fn: "sf", iface: "lo" },
    ]);
  });
  it("parses perf period, cflags, -D/-I and --no-attach, and --opt=value", () => {
    const s = parseHeader(`--perf-event=instructions=f --period 100000 --cflags "-DA=1 -Wno-unused" -DB -I /tmp/x -I/y --no-attach`);
    expect(s.attach[0]).toMatchObject({ type: 0, config: 1, samplePeriod: 100000 });
    expect(s.cflags).toEqual(["-DA=1", "-Wno-unused", "-DB", "-I/tmp/x", "-I/y"]);
    expect(s.noAttach).toBe(true);
    expect(parseHeader("--perf-event page-faults=f").attach[0]).toMatchObject({ type: 1, config: 2, sampleFreq: 99 });
  });
  it("gives every --xdp of the block the --xdp-mode, and names it in the summary", () => {
    const s = parseHeader("--xdp veth0=a --xdp-mode=drv --xdp veth1=b");
    expect(s.attach).toEqual([
      { hook: "xdp", fn: "a", iface: "veth0", mode: "drv" },
      { hook: "xdp", fn: "b", iface: "veth1", mode: "drv" },
    ]);
    expect(s.attach.map(describeAttach)).toEqual(["xdp veth0 (drv mode)", "xdp veth1 (drv mode)"]);
    expect(parseHeader("--xdp veth0=a --xdp-mode skb").attach.map(describeAttach)).toEqual(["xdp veth0 (skb mode)"]);
    expect(parseHeader("--xdp veth0=a").attach.map(describeAttach)).toEqual(["xdp veth0"]);
  });
  it("names the bad option in errors", () => {
    expect(() => parseHeader("--bogus x")).toThrow(/unknown option '--bogus'/);
    expect(() => parseHeader("--tracepoint sched_switch=f")).toThrow(/--tracepoint sched_switch=f: 'sched_switch' is not CATEGORY:EVENT/);
    expect(() => parseHeader("--kprobe vfs_read")).toThrow(/--kprobe vfs_read: missing =FUNC/);
    expect(() => parseHeader("--perf-event flops=f")).toThrow(/unknown event 'flops'/);
    expect(() => parseHeader("--perf-event cycles=f --freq 9 --period 3")).toThrow(/not both/);
    expect(() => parseHeader("--freq 9")).toThrow(/applies to --perf-event/);
    expect(() => parseHeader("--freq abc --perf-event cycles=f")).toThrow(/--freq abc: expects a positive integer/);
    expect(() => parseHeader("--tc veth0:sideways=f")).toThrow(/ingress or egress/);
    expect(() => parseHeader("--uprobe /bin/true=f")).toThrow(/BINARY:SYMBOL/);
    expect(() => parseHeader("--uprobe /bin/true:main=f,cpu=1")).toThrow(/only pid=N/);
    expect(() => parseHeader("--xdp")).toThrow(/--xdp: missing its value/);
    expect(() => parseHeader("--xdp veth0=f --xdp-mode native")).toThrow(/--xdp-mode native: 'native' is not an XDP mode: skb .* drv .* hw .*expected --xdp-mode skb\|drv\|hw/);
    expect(() => parseHeader("--xdp-mode skb")).toThrow(/--xdp-mode applies to --xdp, and there is none/);
    expect(() => parseHeader("--xdp veth0=f --xdp-mode skb --xdp-mode drv")).toThrow(/already skb/);
    expect(() => parseHeader("--xdp veth0=f --xdp-mode")).toThrow(/--xdp-mode: missing its value/);
    expect(() => parseHeader("--usdt /usr/bin/python3.11=f")).toThrow(/is not BINARY:PROBE/);
    expect(() => parseHeader("--usdt 0:line=f")).toThrow(/process id above 0/);
    expect(() => parseHeader("--usdt python3:a:b:c=f")).toThrow(/is not BINARY:PROBE/);
    expect(() => parseHeader("a b")).toThrow(/unexpected 'b'/);
  });
});

describe("--usdt", () => {
  it("takes a binary or a pid, with or without the provider", () => {
    expect(parseHeader("--usdt /usr/bin/python3.11:python:function__entry=on_entry --usdt 42:line=on_line").attach).toEqual([
      { hook: "usdt", fn: "on_entry", binary: "/usr/bin/python3.11", provider: "python", probe: "function__entry" },
      { hook: "usdt", fn: "on_line", pid: 42, probe: "line" },
    ]);
  });
});

describe("naming conventions", () => {
  const c = `
// kprobe__commented_out(struct pt_regs *ctx) {}
TRACEPOINT_PROBE(sched, sched_process_exec) { return 0; }
RAW_TRACEPOINT_PROBE(sys_enter)
{
  return 0;
}
int kprobe__vfs_read(struct pt_regs *ctx) { return 0; }
int kretprobe__vfs_read(struct pt_regs *ctx) { return 0; }
int tracepoint__block__block_rq_issue(void *args) { return 0; }
KFUNC_PROBE(do_unlinkat, int dfd, struct filename *name) { return 0; }
KRETFUNC_PROBE(do_unlinkat, int dfd, struct filename *name, long ret) { return 0; }
LSM_PROBE(bpf, int cmd) { return 0; }
static int helper(void) { return kprobe__vfs_read(0); }
int kprobe__declared_only(struct pt_regs *ctx);
char *s = "int kprobe__in_string(void) {}";
`;
  it("finds each convention and its function name", () => {
    const found = scanConventions(c);
    expect(found.map((f) => f.attach)).toEqual([
      { hook: "tracepoint", fn: "tracepoint__sched__sched_process_exec", category: "sched", event: "sched_process_exec" },
      { hook: "raw_tracepoint", fn: "raw_tracepoint__sys_enter", event: "sys_enter" },
      { hook: "kprobe", fn: "kprobe__vfs_read", symbol: "vfs_read", ret: false },
      { hook: "kprobe", fn: "kretprobe__vfs_read", symbol: "vfs_read", ret: true },
      { hook: "tracepoint", fn: "tracepoint__block__block_rq_issue", category: "block", event: "block_rq_issue" },
      { hook: "kfunc", fn: "kfunc__do_unlinkat", target: "do_unlinkat", ret: false },
      { hook: "kfunc", fn: "kretfunc__do_unlinkat", target: "do_unlinkat", ret: true },
      { hook: "lsm", fn: "lsm__bpf", target: "bpf" },
    ]);
    expect(found[0].line).toBe(3);
    expect(found[1].line).toBe(4);
  });
  it("merges options over conventions", () => {
    const s = blockSpec("x --tracepoint syscalls:sys_enter_read=kprobe__vfs_read", c);
    expect(s.attach.filter((a) => a.fn === "kprobe__vfs_read")).toEqual([
      { hook: "tracepoint", fn: "kprobe__vfs_read", category: "syscalls", event: "sys_enter_read", origin: "option" },
    ]);
    expect(s.attach.length).toBe(8);
  });
  it("carries the text, its header line, the text blanked and where each function is", () => {
    const s = blockSpec("x", c, 7);
    expect(s.body).toBe(c);
    expect(s.headerLine).toBe(7);
    expect(s.code.length).toBe(c.length);
    expect(s.code.split("\n").length).toBe(c.split("\n").length);
    expect(s.code).not.toContain("kprobe__in_string");
    expect(s.functions.map((f) => f.attach)).toEqual(scanConventions(c).map((f) => f.attach));
    expect(s.functions.map((f) => f.line)).toEqual([3, 4, 8, 9, 10, 11, 12, 13]);
    for (const f of s.functions) {
      expect(c[f.brace]).toBe("{");
      expect(c.slice(0, f.brace).split("\n").length).toBeGreaterThanOrEqual(f.line);
    }
  });
  it("attaches by convention only what the compiled module has, options kept", () => {
    const text = "#if 0\nint kprobe__gone(void *ctx) { return 0; }\n#endif\nTRACEPOINT_PROBE(a_b, c__d) { return 0; }\nMY_MACRO(x)";
    const s = blockSpec("x --raw-tracepoint sys_exit=opt", text);
    const c = compiledSpec(s, ["opt", "tracepoint__a_b__c__d", "raw_tracepoint__made_by_macro", "helper"]);
    expect(c.attach).toEqual([
      { hook: "raw_tracepoint", fn: "opt", event: "sys_exit", origin: "option" },
      // the macro's own arguments, not a guess from the name
      { hook: "tracepoint", fn: "tracepoint__a_b__c__d", category: "a_b", event: "c__d", origin: "convention" },
      { hook: "raw_tracepoint", fn: "raw_tracepoint__made_by_macro", event: "made_by_macro", origin: "convention" },
    ]);
  });
});
