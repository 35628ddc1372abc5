import { describe, expect, it } from "vitest";
import { eventTypeProbes, findEventMaps } from "../../magics/event-types.js";
import { keepLineNumbers, prepareText } from "../../magics/load.js";
import { blockSpec } from "../../magics/spec/block.js";

describe("event types from the C text", () => {
  it("finds the struct passed to perf_submit, ringbuf_output and ringbuf_reserve", () => {
    const c = `
struct data_t { u32 pid; };
typedef struct { u64 ts; } rec_t;
struct big { char s[64]; };
BPF_PERF_OUTPUT(events);
BPF_RINGBUF_OUTPUT(rb, 8);
BPF_RINGBUF_OUTPUT(rb2, 8);
BPF_PERF_OUTPUT(unused);
int a(void *ctx) { struct data_t data = {}; events.perf_submit(ctx, &data, sizeof(data)); return 0; }
int b(void *ctx) { rec_t r = {}; rb.ringbuf_output(&r, sizeof(r), 0); return 0; }
int c(void *ctx) { struct big *p = rb2.ringbuf_reserve(sizeof(struct big)); if (!p) return 0; rb2.ringbuf_submit(p, 0); return 0; }
// events.perf_submit(ctx, &nothing, 1);
`;
    expect(findEventMaps(c)).toEqual([
      { map: "events", kind: "perf", type: "struct data_t" },
      { map: "unused", kind: "perf" },
      { map: "rb", kind: "ringbuf", type: "rec_t" },
      { map: "rb2", kind: "ringbuf", type: "struct big" },
    ]);
    expect(eventTypeProbes(findEventMaps(c))).toBe(
      "\nBPF_ARRAY(__ibcc_ev_events, struct data_t, 1);\nBPF_ARRAY(__ibcc_ev_rb, rec_t, 1);\nBPF_ARRAY(__ibcc_ev_rb2, struct big, 1);",
    );
  });
  it("follows a pointer variable and sizeof(*p)", () => {
    const c = `BPF_PERF_OUTPUT(ev);\nBPF_RINGBUF_OUTPUT(rb, 8);\nint f(void *ctx) { struct d_t *dp = get(); ev.perf_submit(ctx, dp, sizeof(*dp)); struct e_t *e = rb.ringbuf_reserve(sizeof(*e)); return 0; }`;
    expect(findEventMaps(c).map((d) => d.type)).toEqual(["struct d_t", "struct e_t"]);
  });
});

describe("line numbering of the compiled text", () => {
  it("puts a #line before every line, not inside continued macros, and after tracepoint braces", () => {
    const text = "#define X(a) \\\n  (a)\nTRACEPOINT_PROBE(a, b) { return 0; }\nint y;";
    const braces = blockSpec("", text).functions.map((f) => f.brace);
    expect(keepLineNumbers(text, braces)).toBe(
      "#line 1\n#define X(a) \\\n  (a)\n#line 3\nTRACEPOINT_PROBE(a, b) {\n#line 3\n return 0; }\n#line 4\nint y;",
    );
  });
  it("finds a tracepoint's brace after BTF forms before it changed the text's length", () => {
    const text = "int a(void *c) { return BTF_SIZE(task_struct, comm) + BTF_OFFSET(task_struct, tgid); }\nTRACEPOINT_PROBE(a, b) { return 0; }";
    const { text: compiled } = prepareText(blockSpec("", text, 1));
    expect(compiled).toContain("\nTRACEPOINT_PROBE(a, b) {\n#line 2\n return 0; }");
    expect(compiled).not.toContain("BTF_");
  });
});
