/**
 * Invalid BPF programs, each a %%bpf cell and the words its error must hold.
 * One table rather than many files: the cell text and what it must say sit
 * side by side. Every cell names its program `bad` so that none of them can
 * replace a good program of the session.
 */
export interface BadProgram {
  name: string;
  /** The cell after `%%bpf bad`: header options on the first line, then C. */
  cell: string;
  /** What the error text (ename, evalue and traceback) must match. */
  expect: RegExp;
}

const TP = "TRACEPOINT_PROBE(syscalls, sys_enter_getpid)";
const UPROBE_FN = "int f(struct pt_regs *ctx) { return 0; }";

export const BAD_PROGRAMS: BadProgram[] = [
  // Syntax and declarations: clang's diagnostics.
  { name: "missing parenthesis", cell: `\nint f( { return 0; }`, expect: /expected/ },
  { name: "missing semicolon", cell: `\n${TP} { int x = 1 return x; }`, expect: /expected ';'/ },
  { name: "unterminated comment", cell: `\n/* never closed\n${TP} { return 0; }`, expect: /unterminated/ },
  { name: "stray closing brace", cell: `\n${TP} { return 0; } }`, expect: /extraneous closing brace/ },
  { name: "undeclared identifier", cell: `\n${TP} { return nope; }`, expect: /undeclared identifier 'nope'/ },
  { name: "undeclared function", cell: `\n${TP} { int x; nope_fn(&x); return x; }`, expect: /neither a BPF helper nor defined in the block/ },
  { name: "undeclared map", cell: `\n${TP} { u32 k = 0; nomap.lookup(&k); return 0; }`, expect: /undeclared identifier 'nomap'/ },
  { name: "unknown type", cell: `\n${TP} { foo_t x = 0; return x; }`, expect: /undeclared identifier 'foo_t'|unknown type name 'foo_t'/ },
  { name: "no such tracepoint field", cell: `\n${TP} { return args->no_such_field; }`, expect: /no member named 'no_such_field'/ },
  { name: "helper given too many arguments", cell: `\n${TP} { return bpf_get_current_pid_tgid(1); }`, expect: /too many arguments/ },
  { name: "struct assigned to int", cell: `\n${TP} { struct { int a; } s = {}; int x = s; return x; }`, expect: /incompatible|initializing/ },
  { name: "missing header file", cell: `\n#include <no/such/header.h>\n${TP} { return 0; }`, expect: /file not found/ },
  { name: "#error directive", cell: `\n#error this cell refuses to build\n${TP} { return 0; }`, expect: /this cell refuses to build/ },
  { name: "redefined function", cell: `\nint f(void *ctx) { return 0; }\nint f(void *ctx) { return 1; }`, expect: /redefinition/ },
  { name: "redefined map", cell: `\nBPF_HASH(h, u32, u64);\nBPF_HASH(h, u32, u64);\n${TP} { return 0; }`, expect: /redefinition/ },
  { name: "stack over 512 bytes", cell: `\n${TP} { char buf[600]; bpf_probe_read_kernel(buf, sizeof(buf), (void *)0); return buf[1]; }`, expect: /stack limit|512/ },
  { name: "struct on the stack over 512 bytes", cell: `\nstruct big { char b[520]; };\n${TP} { struct big s = {}; bpf_probe_read_kernel(&s, sizeof(s), (void *)0); return s.b[3]; }`, expect: /stack limit|512/ },

  // Hooks this kernel does not have.
  { name: "unknown tracepoint category", cell: `\nTRACEPOINT_PROBE(nosuch, thing) { return 0; }`, expect: /no tracepoint nosuch:thing/ },
  { name: "unknown tracepoint event", cell: `\nTRACEPOINT_PROBE(syscalls, sys_enter_no_such_call) { return 0; }`, expect: /no tracepoint syscalls:sys_enter_no_such_call/ },
  { name: "unknown raw tracepoint", cell: `\nRAW_TRACEPOINT_PROBE(no_such_raw_tp) { return 0; }`, expect: /no_such_raw_tp/ },
  { name: "--tracepoint to an unknown event", cell: ` --tracepoint nosuch:evt=f\nint f(void *ctx) { return 0; }`, expect: /nosuch:evt/ },
  { name: "--raw-tracepoint to an unknown event", cell: ` --raw-tracepoint no_such_rtp=f\nint f(void *ctx) { return 0; }`, expect: /no_such_rtp/ },
  { name: "unknown uprobe symbol", cell: ` --uprobe /bin/true:no_such_symbol_xyz=f\n${UPROBE_FN}`, expect: /no_such_symbol_xyz/ },
  { name: "uprobe on a missing binary", cell: ` --uprobe /no/such/binary:main=f\n${UPROBE_FN}`, expect: /\/no\/such\/binary/ },
  { name: "uretprobe on an unknown symbol", cell: ` --uretprobe /bin/true:no_such_symbol_abc=f\n${UPROBE_FN}`, expect: /no_such_symbol_abc/ },
  { name: "kprobe on a kernel without kprobes", cell: `\nint kprobe__do_sys_openat2(struct pt_regs *ctx) { return 0; }`, expect: /kprobe/i },
  { name: "kretprobe on a kernel without kprobes", cell: `\nint kretprobe__do_sys_openat2(struct pt_regs *ctx) { return 0; }`, expect: /kretprobe|kprobe/i },
  { name: "fentry a kernel refuses", cell: `\nKFUNC_PROBE(do_sys_openat2) { return 0; }`, expect: /fentry|kfunc|KFUNC/i },
  { name: "LSM program a kernel refuses", cell: `\nLSM_PROBE(file_open, struct file *file) { return 0; }`, expect: /lsm/i },
  { name: "XDP on a missing interface", cell: ` --xdp nosuchif0=f\nint f(struct xdp_md *ctx) { return XDP_PASS; }`, expect: /nosuchif0/ },
  { name: "tc on a missing interface", cell: ` --tc nosuchif1:ingress=f\nint f(struct __sk_buff *skb) { return 0; }`, expect: /nosuchif1/ },
  { name: "socket filter on a missing interface", cell: ` --socket nosuchif2=f\nint f(struct __sk_buff *skb) { return 0; }`, expect: /nosuchif2/ },

  // The header.
  { name: "header: unknown option", cell: ` --frobnicate\n${TP} { return 0; }`, expect: /--frobnicate/ },
  { name: "header: --tracepoint without =FUNC", cell: ` --tracepoint syscalls:sys_enter_getpid\nint f(void *ctx) { return 0; }`, expect: /missing =FUNC/ },
  { name: "header: attach names a function the C lacks", cell: ` --tracepoint syscalls:sys_enter_getpid=no_such_fn\nint f(void *ctx) { return 0; }`, expect: /no_such_fn/ },
  { name: "header: unknown perf event", cell: ` --perf-event no_such_event=f\nint f(void *ctx) { return 0; }`, expect: /no_such_event/ },

  // The verifier.
  { name: "NULL-unchecked map lookup", cell: `\nBPF_HASH(h, u32, u64);\n${TP} { u32 k = 0; u64 *v = h.lookup(&k); *v += 1; return 0; }`, expect: /map_value_or_null|NULL check/ },
  { name: "map value read past its end", cell: `\nBPF_ARRAY(a, u64, 1);\n${TP} { u32 k = 0; u64 *v = a.lookup(&k); if (!v) return 0; return v[10]; }`, expect: /invalid access to map value/ },
  { name: "map value read at an unbounded offset", cell: `\nBPF_ARRAY(a, u64, 1);\n${TP} { u32 k = 0; char *v = (char *)a.lookup(&k); if (!v) return 0; u32 i = bpf_get_prandom_u32(); return v[i]; }`, expect: /unbounded|max value|min value|invalid access to map value/ },
  { name: "map value written past its end", cell: `\nBPF_ARRAY(a, u32, 1);\n${TP} { u32 k = 0; u32 *v = a.lookup(&k); if (!v) return 0; v[4] = 1; return 0; }`, expect: /invalid access to map value/ },
  // The verifier allows it; the tracepoint refuses a program reading past its record when attached.
  { name: "tracepoint context read out of bounds", cell: `\n${TP} { return *(u64 *)((char *)args + 4096); }`, expect: /cannot attach.*EACCES[\s\S]*reads past the event's record/ },
  { name: "tracepoint context written", cell: `\n${TP} { *(u64 *)args = 1; return 0; }`, expect: /bpf_context|cannot write|read-only|context/ },
  { name: "raw tracepoint args past the end", cell: `\nRAW_TRACEPOINT_PROBE(sys_enter) { return ((u64 *)ctx)[64]; }`, expect: /invalid bpf_context access/ },
  { name: "helper given an unbounded size", cell: `\n${TP} { char b[16]; u32 n = bpf_get_prandom_u32(); bpf_probe_read_kernel(b, n, (void *)0); return b[0]; }`, expect: /unbounded memory access|R2/ },
  { name: "dereference of a scalar", cell: `\n${TP} { u64 p = bpf_get_current_task(); return *(int *)p; }`, expect: /invalid mem access 'scalar'|inv/ },
  { name: "pointer arithmetic on context with multiply", cell: `\n${TP} { u64 p = (u64)args; p *= 3; return *(u64 *)p; }`, expect: /pointer arithmetic|prohibited|invalid mem access|R\d/ },
  { name: "perf_submit with a stack pointer for ctx", cell: `\nBPF_PERF_OUTPUT(ev);\n${TP} { u64 x = 1; void *fake = &x; ev.perf_submit(fake, &x, sizeof(x)); return 0; }`, expect: /type=fp expected=ctx|expected=ctx|R1 type/ },
  { name: "infinite loop", cell: `\n${TP} { u32 n = 0; for (;;) { n += bpf_get_prandom_u32() & 1; if (n == 0xffffffff) break; } return n; }`, expect: /infinite loop|too large|back-edge|loop/ },
  { name: "too many instructions (verifier complexity limit)", cell: `\n${TP} { u64 s = 0; for (u32 i = 0; i < 10000000; i++) { s += bpf_get_prandom_u32(); } return s; }`, expect: /too large|1000001|complexity/ },
  { name: "GPL-only helper without a GPL license", cell: `\n#define BPF_LICENSE Proprietary\n${TP} { bpf_trace_printk("hi\\n"); return 0; }`, expect: /GPL/ },
  { name: "helper the program type may not call", cell: `\n${TP} { u32 x = 0; bpf_skb_load_bytes(args, 0, &x, 4); return x; }`, expect: /unknown func|cannot (use|call)|program of this type/ },
  { name: "map helper given the context for a map", cell: `\n${TP} { u32 k = 0; u64 v = 1; bpf_map_update_elem(args, &k, &v, 0); return 0; }`, expect: /expected=map_ptr|map_ptr/ },
  { name: "signed division", cell: `\n${TP} { int a = bpf_get_prandom_u32(), b = bpf_get_prandom_u32(); return a / b; }`, expect: /signed division/ },
  { name: "division by zero (as an error with -Werror)", cell: ` --cflags "-Werror=division-by-zero"\n${TP} { u64 z = 0; return 10 / 0; }`, expect: /division by zero/ },

  // Maps the kernel will not create.
  { name: "hash map with huge max_entries", cell: `\nBPF_HASH(h, u32, u64, 0x7fffffff);\n${TP} { u32 k = 0; h.lookup(&k); return 0; }`, expect: /E2BIG|ENOMEM|too big|memory|cannot allocate|Argument list too long/i },
  { name: "array whose total size overflows", cell: `\nstruct big { char b[1 << 20]; };\nBPF_ARRAY(a, struct big, 0x10000);\n${TP} { u32 k = 0; a.lookup(&k); return 0; }`, expect: /E2BIG|ENOMEM|too big|memory|cannot allocate|Argument list too long/i },
  { name: "map value too large", cell: `\nstruct huge { char b[1 << 23]; };\nBPF_HASH(h, u32, struct huge, 4);\n${TP} { u32 k = 0; h.lookup(&k); return 0; }`, expect: /E2BIG|ENOMEM|too big|memory|cannot allocate|Argument list too long/i },
  { name: "map with zero entries", cell: `\nBPF_HASH(h, u32, u64, 0);\n${TP} { u32 k = 0; h.lookup(&k); return 0; }`, expect: /EINVAL|invalid|max_entries/i },
];
