/**
 * The names completion and inspection know inside a %%bpf block: BCC's
 * macros and map methods, the common BPF helpers with their signatures, and
 * ibcc's BTF forms. One line of documentation each. Where the cursor is in
 * a probe's name or at `args->`, what the kernel offers there instead
 * (probes/complete.ts).
 */
import { completeProbeContext, inspectProbeContext } from "./probes/complete.js";

export interface HelperDoc {
  name: string;
  signature: string;
  doc: string;
  kind: "macro" | "helper" | "method" | "constant";
}

const H = (kind: HelperDoc["kind"], name: string, signature: string, doc: string): HelperDoc => ({ kind, name, signature, doc });

export const HELPERS: HelperDoc[] = [
  // BCC map and probe macros
  H("macro", "BPF_HASH", "BPF_HASH(name [, key_type [, leaf_type [, size]]])", "A hash map (default key u64, value u64, 10240 entries)."),
  H("macro", "BPF_ARRAY", "BPF_ARRAY(name [, leaf_type [, size]])", "An array map indexed by int, zero-filled, fixed size."),
  H("macro", "BPF_HISTOGRAM", "BPF_HISTOGRAM(name [, key_type [, size]])", "A histogram map (array of u64 counts); fill with .increment(bpf_log2l(v)); read with .histogram()."),
  H("macro", "BPF_PERCPU_ARRAY", "BPF_PERCPU_ARRAY(name [, leaf_type [, size]])", "An array with one value per CPU; the Table shows per-CPU values summed."),
  H("macro", "BPF_PERCPU_HASH", "BPF_PERCPU_HASH(name [, key_type [, leaf_type [, size]]])", "A hash with one value per CPU."),
  H("macro", "BPF_LRU_HASH", "BPF_LRU_HASH(name [, key_type [, leaf_type [, size]]])", "A hash that evicts the least recently used entry when full."),
  H("macro", "BPF_PERF_OUTPUT", "BPF_PERF_OUTPUT(name)", "A perf event array for events: name.perf_submit(ctx, &data, sizeof(data)); read with prog.events(\"name\")."),
  H("macro", "BPF_RINGBUF_OUTPUT", "BPF_RINGBUF_OUTPUT(name, page_cnt)", "A ring buffer for events (kernel 5.8+): name.ringbuf_output(&data, sizeof(data), 0); read with prog.events(\"name\")."),
  H("macro", "BPF_STACK_TRACE", "BPF_STACK_TRACE(name, max_entries)", "A stack trace map: id = name.get_stackid(ctx, flags); read with prog.stacks(\"name\")."),
  H("macro", "BPF_PROG_ARRAY", "BPF_PROG_ARRAY(name, size)", "A program array for tail calls: name.call(ctx, index)."),
  H("macro", "TRACEPOINT_PROBE", "TRACEPOINT_PROBE(category, event) { ... args->field ... }", "Attaches to tracepoint category:event; args points at its fields (exact, from tracefs's format)."),
  H("macro", "RAW_TRACEPOINT_PROBE", "RAW_TRACEPOINT_PROBE(event) { ... ctx->args[i] ... }", "Attaches to the raw tracepoint event; ctx->args holds its raw arguments."),
  H("macro", "KFUNC_PROBE", "KFUNC_PROBE(function, typed args...)", "fentry on a kernel function (BPF trampoline); this kernel may refuse it: use a tracepoint."),
  H("macro", "KRETFUNC_PROBE", "KRETFUNC_PROBE(function, typed args..., ret)", "fexit on a kernel function; this kernel may refuse it: use a tracepoint."),
  H("macro", "LSM_PROBE", "LSM_PROBE(hook, typed args...)", "A BPF LSM hook; needs CONFIG_BPF_LSM and bpf in the lsm= list."),
  H("macro", "BTF_READ", "BTF_READ(ptr, struct_name, field.path)", "Reads a kernel struct field at the running kernel's BTF offset (right even when the headers are not this kernel's). Paths: a, a.b, a->b, a[3]."),
  H("macro", "BTF_READ_INTO", "BTF_READ_INTO(dst, ptr, struct_name, field.path)", "Copies a struct field (array, struct) into dst at the BTF offset, at most sizeof(dst) bytes."),
  H("macro", "BTF_OFFSET", "BTF_OFFSET(struct_name, field.path)", "The field's byte offset in the running kernel, a constant."),
  H("macro", "BTF_SIZE", "BTF_SIZE(struct_name, field.path)", "The field's byte size in the running kernel, a constant."),
  // helpers
  H("helper", "bpf_get_current_pid_tgid", "u64 bpf_get_current_pid_tgid(void)", "tgid (the process id) in the upper 32 bits, pid (the thread id) in the lower 32."),
  H("helper", "bpf_get_current_uid_gid", "u64 bpf_get_current_uid_gid(void)", "gid in the upper 32 bits, uid in the lower 32."),
  H("helper", "bpf_get_current_comm", "int bpf_get_current_comm(void *buf, u32 size)", "Copies the current task's command name (up to 16 bytes, NUL-terminated) into buf."),
  H("helper", "bpf_get_current_task", "u64 bpf_get_current_task(void)", "The current struct task_struct pointer; read its fields with BTF_READ or bpf_probe_read_kernel."),
  H("helper", "bpf_ktime_get_ns", "u64 bpf_ktime_get_ns(void)", "Nanoseconds since boot (CLOCK_MONOTONIC, not counting suspend)."),
  H("helper", "bpf_ktime_get_boot_ns", "u64 bpf_ktime_get_boot_ns(void)", "Nanoseconds since boot including suspend."),
  H("helper", "bpf_trace_printk", "int bpf_trace_printk(const char *fmt, ...)", "printf to tracefs's trace_pipe (up to 3 arguments); read with %trace_pipe or prog.tracePrint(). For debugging only."),
  H("helper", "bpf_probe_read_kernel", "int bpf_probe_read_kernel(void *dst, u32 size, const void *src)", "Safely copies size bytes of kernel memory at src into dst; 0 or a negative error."),
  H("helper", "bpf_probe_read_kernel_str", "int bpf_probe_read_kernel_str(void *dst, u32 size, const void *src)", "Copies a NUL-terminated kernel string; returns its length including the NUL."),
  H("helper", "bpf_probe_read_user", "int bpf_probe_read_user(void *dst, u32 size, const void *src)", "Safely copies user-space memory of the current task."),
  H("helper", "bpf_probe_read_user_str", "int bpf_probe_read_user_str(void *dst, u32 size, const void *src)", "Copies a NUL-terminated user-space string (a path argument, say)."),
  H("macro", "bpf_usdt_readarg", "int bpf_usdt_readarg(int n, struct pt_regs *ctx, T *dst)", "Reads argument n (from 1) of the USDT probe this function is attached to with --usdt, where the probe's ELF note says it is; 0 or -1."),
  H("macro", "bpf_usdt_readarg_p", "int bpf_usdt_readarg_p(int n, struct pt_regs *ctx, void *buf, u64 size)", "Takes USDT argument n as a user-space pointer and copies size bytes from it into buf (bpf_probe_read_user)."),
  H("helper", "bpf_log2l", "unsigned int bpf_log2l(unsigned long v)", "log2 bucket of v, for BPF_HISTOGRAM keys (dist.increment(bpf_log2l(v)))."),
  H("helper", "bpf_get_smp_processor_id", "u32 bpf_get_smp_processor_id(void)", "The CPU the program runs on."),
  H("helper", "bpf_get_prandom_u32", "u32 bpf_get_prandom_u32(void)", "A pseudo-random number, for sampling."),
  H("helper", "bpf_get_current_cgroup_id", "u64 bpf_get_current_cgroup_id(void)", "The cgroup v2 id of the current task."),
  H("helper", "bpf_get_stackid", "long bpf_get_stackid(void *ctx, void *map, u64 flags)", "Walks the stack into a BPF_STACK_TRACE map and returns its id (BCC: map.get_stackid(ctx, flags)); BPF_F_USER_STACK for the user stack."),
  H("helper", "bpf_perf_event_output", "long bpf_perf_event_output(void *ctx, void *map, u64 flags, void *data, u64 size)", "Sends a record to a perf event array (BCC: map.perf_submit(ctx, data, size))."),
  H("helper", "bpf_ringbuf_output", "long bpf_ringbuf_output(void *ringbuf, void *data, u64 size, u64 flags)", "Copies a record into a ring buffer (BCC: map.ringbuf_output(data, size, flags))."),
  H("helper", "bpf_ringbuf_reserve", "void *bpf_ringbuf_reserve(void *ringbuf, u64 size, u64 flags)", "Reserves a record in a ring buffer (BCC: map.ringbuf_reserve(size)); submit or discard it on every path."),
  H("helper", "bpf_ringbuf_submit", "void bpf_ringbuf_submit(void *data, u64 flags)", "Publishes a reserved record (BCC: map.ringbuf_submit(data, flags))."),
  H("helper", "bpf_ringbuf_discard", "void bpf_ringbuf_discard(void *data, u64 flags)", "Drops a reserved record."),
  H("helper", "bpf_map_lookup_elem", "void *bpf_map_lookup_elem(void *map, const void *key)", "The value for key, or NULL: check before use (BCC: map.lookup(&key))."),
  H("helper", "bpf_map_update_elem", "long bpf_map_update_elem(void *map, const void *key, const void *value, u64 flags)", "Inserts or replaces (BPF_ANY), only inserts (BPF_NOEXIST) or only replaces (BPF_EXIST)."),
  H("helper", "bpf_map_delete_elem", "long bpf_map_delete_elem(void *map, const void *key)", "Removes key (BCC: map.delete(&key))."),
  H("helper", "bpf_send_signal", "long bpf_send_signal(u32 sig)", "Sends a signal to the current process."),
  H("helper", "bpf_get_ns_current_pid_tgid", "long bpf_get_ns_current_pid_tgid(u64 dev, u64 ino, struct bpf_pidns_info *nsdata, u32 size)", "pid and tgid as seen from a pid namespace."),
  H("helper", "bpf_jiffies64", "u64 bpf_jiffies64(void)", "The kernel's jiffies counter."),
  H("helper", "bpf_xdp_adjust_head", "long bpf_xdp_adjust_head(struct xdp_md *ctx, int delta)", "Grows or shrinks the packet's head in XDP."),
  H("helper", "bpf_redirect", "long bpf_redirect(u32 ifindex, u64 flags)", "Redirects the packet to another interface (XDP, tc)."),
  H("helper", "bpf_skb_load_bytes", "long bpf_skb_load_bytes(const void *skb, u32 offset, void *to, u32 len)", "Copies packet bytes from an skb (socket filters, tc)."),
  // BCC map methods
  H("method", "lookup", "map.lookup(&key)", "Pointer to the value or NULL."),
  H("method", "lookup_or_try_init", "map.lookup_or_try_init(&key, &zero)", "Pointer to the value, inserting zero first if absent; NULL if the map is full."),
  H("method", "update", "map.update(&key, &value)", "Inserts or replaces."),
  H("method", "insert", "map.insert(&key, &value)", "Inserts only if absent."),
  H("method", "delete", "map.delete(&key)", "Removes key."),
  H("method", "increment", "map.increment(key [, n])", "Adds n (default 1) to the value at key, inserting 0 first."),
  H("method", "atomic_increment", "map.atomic_increment(key [, n])", "Adds n atomically (arrays, histograms)."),
  H("method", "perf_submit", "map.perf_submit(ctx, &data, sizeof(data))", "Sends data to a BPF_PERF_OUTPUT map; ibcc decodes it with data's type."),
  H("method", "ringbuf_output", "map.ringbuf_output(&data, sizeof(data), flags)", "Copies data into a BPF_RINGBUF_OUTPUT map."),
  H("method", "ringbuf_reserve", "map.ringbuf_reserve(sizeof(struct data_t))", "Reserves a record; fill it, then ringbuf_submit or ringbuf_discard."),
  H("method", "ringbuf_submit", "map.ringbuf_submit(data, flags)", "Publishes a reserved record."),
  H("method", "ringbuf_discard", "map.ringbuf_discard(data, flags)", "Drops a reserved record."),
  H("method", "get_stackid", "map.get_stackid(ctx, flags)", "Stack id in a BPF_STACK_TRACE map (BPF_F_USER_STACK for user stacks); negative on error."),
  H("method", "call", "map.call(ctx, index)", "Tail call into a BPF_PROG_ARRAY."),
  // constants
  H("constant", "XDP_PASS", "XDP_PASS", "XDP verdict: let the packet through."),
  H("constant", "XDP_DROP", "XDP_DROP", "XDP verdict: drop the packet."),
  H("constant", "XDP_TX", "XDP_TX", "XDP verdict: bounce the packet out of the same interface."),
  H("constant", "XDP_REDIRECT", "XDP_REDIRECT", "XDP verdict: redirect (after bpf_redirect)."),
  H("constant", "TC_ACT_OK", "TC_ACT_OK", "tc verdict: continue."),
  H("constant", "TC_ACT_SHOT", "TC_ACT_SHOT", "tc verdict: drop."),
  H("constant", "BPF_F_USER_STACK", "BPF_F_USER_STACK", "get_stackid flag: the user-space stack."),
  H("constant", "BPF_ANY", "BPF_ANY", "update flag: insert or replace."),
];

const BY_NAME = new Map(HELPERS.map((h) => [h.name, h]));

export function helperDoc(name: string): HelperDoc | undefined {
  return BY_NAME.get(name);
}

/** The identifier around or before `cursor`, and where it starts and ends. */
export function wordAt(body: string, cursor: number): { word: string; start: number; end: number; afterDot: boolean } {
  let start = cursor;
  while (start > 0 && /\w/.test(body[start - 1])) start--;
  let end = cursor;
  while (end < body.length && /\w/.test(body[end])) end++;
  return { word: body.slice(start, end), start, end, afterDot: body[start - 1] === "." };
}

export function completeInBlock(body: string, cursor: number): { matches: string[]; cursorStart: number; cursorEnd: number } {
  const probe = completeProbeContext(body, cursor);
  if (probe) return probe;
  const { start } = wordAt(body, cursor);
  const prefix = body.slice(start, cursor);
  const afterDot = body[start - 1] === ".";
  const pool = afterDot ? HELPERS.filter((h) => h.kind === "method").map((h) => h.name) : HELPERS.filter((h) => h.kind !== "method").map((h) => h.name);
  // names the block itself declares: maps, structs, locals
  const own = afterDot ? [] : [...new Set(body.match(/\b[A-Za-z_]\w{2,}\b/g) ?? [])];
  const matches = [...new Set([...pool, ...own])].filter((n) => n.startsWith(prefix) && n !== prefix).sort();
  return { matches, cursorStart: start, cursorEnd: cursor };
}

export function inspectInBlock(body: string, cursor: number): { found: boolean; data: Record<string, unknown> } {
  const { word, start, end } = wordAt(body, cursor);
  const probe = inspectProbeContext(body, start, end);
  if (probe) return probe;
  const h = helperDoc(word);
  if (!h) return { found: false, data: {} };
  return {
    found: true,
    data: {
      "text/plain": `${h.signature}\n\n${h.doc}`,
      "text/markdown": `\`\`\`c\n${h.signature}\n\`\`\`\n\n${h.doc}`,
    },
  };
}
