/**
 * Tables: top N by value with the rest summed, escaped HTML, aligned text,
 * and a million-entry map that still yields well under 1 MB.
 */
import { describe, expect, it } from "vitest";
import { eventTable, keyValueList, records, table, topRows } from "../../kernel/display/index.js";

const bytes = (d: { data: Record<string, unknown>; metadata?: unknown }) =>
  Buffer.byteLength(JSON.stringify(d, (_k, v) => (typeof v === "bigint" ? String(v) : v)));

describe("table", () => {
  it("keeps a million-entry map's output under 1 MB", () => {
    const n = 1_000_000;
    const entries: Array<[{ pid: number; comm: string }, bigint]> = new Array(n);
    let total = 0n;
    for (let i = 0; i < n; i++) {
      const v = BigInt((i * 7919) % 1_000_003);
      total += v;
      entries[i] = [{ pid: i, comm: `task-${i % 977}` }, v];
    }
    const t0 = performance.now();
    const d = table(entries, { top: 20 });
    const ms = performance.now() - t0;
    const size = bytes(d);
    console.log(`1,000,000-entry table: ${size} bytes of output in ${ms.toFixed(0)} ms`);
    expect(size).toBeLessThan(1 << 20);
    const text = String(d.data["text/plain"]);
    const shown = topRows(entries, { top: 20 });
    const shownSum = shown.rows.reduce((s, r) => s + (r.value as bigint), 0n);
    expect(text).toContain(`… 999,980 more rows (1,000,000 in all), their value summing to ${(total - shownSum).toLocaleString("en-US")}`);
    expect(String(d.data["text/html"])).toContain("999,980 more rows");
    // The largest value is 1,000,002, reached by exactly one pid.
    expect(shown.rows[0].value).toBe(1_000_002n);
    expect(shown.rows.map((r) => r.value)).toEqual([...shown.rows.map((r) => r.value)].sort((a, b) => (a! < b! ? 1 : a! > b! ? -1 : 0)));
  });

  it("ranks like a full sort, ties in input order", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ name: `k${i}`, hits: (i * 31) % 97 }));
    const expected = [...rows].sort((a, b) => b.hits - a.hits).slice(0, 15);
    const t = topRows(rows, { top: 15, sortBy: "hits" });
    expect(t.rows).toEqual(expected);
    expect(t.restCount).toBe(485);
    expect(t.restTotal).toBe(rows.reduce((s, r) => s + r.hits, 0) - expected.reduce((s, r) => s + r.hits, 0));
    const asc = topRows(rows, { top: 3, sortBy: "hits", ascending: true });
    expect(asc.rows.map((r) => r.hits)).toEqual([0, 0, 0]);
  });

  it("spreads struct keys into columns and picks value to sort by", () => {
    const d = table([[{ pid: 1, comm: "bash" }, 5], [{ pid: 22, comm: "sshd" }, 40], [{ pid: 333, comm: "cat" }, 12]]);
    expect(d.data["text/plain"]).toBe(
      ["pid  comm  value", "---  ----  -----", " 22  sshd     40", "333  cat      12", "  1  bash      5"].join("\n"),
    );
  });

  it("reads { key, value } objects as map entries", () => {
    const d = table([{ key: { pid: 9, comm: "init" }, value: 3n }, { key: { pid: 10, comm: "kthreadd" }, value: 30n }]);
    expect(String(d.data["text/plain"]).split("\n")[0]).toBe("pid  comm      value");
    expect(String(d.data["text/plain"]).split("\n")[2]).toBe(" 10  kthreadd     30");
  });

  it("shows chosen columns only, scalar keys as key", () => {
    const d = table([[7, 70n], [8, 80n]], { columns: ["value", "key"], title: "by cpu" });
    expect(d.data["text/plain"]).toBe(["by cpu", "value  key", "-----  ---", "   80    8", "   70    7"].join("\n"));
    expect(d.metadata).toMatchObject({ ibcc: { view: "table", options: { sortBy: "value", columns: ["value", "key"], totalRows: 2 } } });
  });

  it("escapes HTML in cells, headers and the title", () => {
    const d = table([{ "<b>col": `<script>alert("x")</script>`, value: 1 }], { title: "a & b <i>" });
    const html = String(d.data["text/html"]);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>col");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;col");
    expect(html).toContain("a &amp; b &lt;i&gt;");
    expect(html.match(/<table/g)).toHaveLength(1);
  });

  it("keeps each row on one line in text, whatever the cell holds", () => {
    const d = table([{ comm: "two\nlines\ttab", value: 1, bytes: new Uint8Array([0xde, 0xad]), when: new Date(0), nested: { a: [1, 2], b: "x" } }]);
    const lines = String(d.data["text/plain"]).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain("two⏎lines tab");
    expect(lines[2]).toContain("dead");
    expect(lines[2]).toContain("1970-01-01T00:00:00.000Z");
    expect(lines[2]).toContain('{a: [1, 2], b: "x"}');
  });
});

describe("info tables", () => {
  it("lists keys and values, aligned and escaped", () => {
    const d = keyValueList({ program: "bpf", attached: "tracepoint:sched:sched_switch", "<maps>": 2 }, { title: "%%bpf bpf" });
    expect(d.data["text/plain"]).toBe(
      ["%%bpf bpf", "program  : bpf", "attached : tracepoint:sched:sched_switch", "<maps>   : 2"].join("\n"),
    );
    expect(String(d.data["text/html"])).toMatch(/<th style="text-align:left[^"]*">&lt;maps&gt;<\/th>/);
    const fromPairs = keyValueList([["kprobes", "no (kernel built without CONFIG_KPROBES)"], ["ring buffer", "yes"]]);
    expect(String(fromPairs.data["text/plain"]).split("\n")[0]).toBe("kprobes     : no (kernel built without CONFIG_KPROBES)");
  });

  it("shows records with every row and numeric columns right-aligned", () => {
    const d = records(
      [
        { id: 41, name: "trace_read", type: "tracepoint", tag: "a04f5eef06a7f555" },
        { id: 1234, name: "xdp_drop", type: "xdp", tag: "b1" },
      ],
      { title: "programs" },
    );
    expect(d.data["text/plain"]).toBe(
      [
        "programs",
        "  id  name        type        tag",
        "----  ----------  ----------  ----------------",
        "  41  trace_read  tracepoint  a04f5eef06a7f555",
        "1234  xdp_drop    xdp         b1",
      ].join("\n"),
    );
    expect(String(records([], { columns: ["id"], empty: "no programs" }).data["text/plain"])).toContain("no programs");
  });
});

describe("event stream table", () => {
  it("shows the latest K events under a received/lost line", () => {
    const events = Array.from({ length: 50 }, (_, i) => ({ ts: BigInt(i) * 1000n, pid: 100 + i, comm: i % 2 ? "cat" : "<sh>" }));
    const d = eventTable({ events, total: 123456n, lost: 7 }, { limit: 3 });
    const text = String(d.data["text/plain"]).split("\n");
    expect(text[0]).toBe("events: 123,456 received, 7 lost, showing the latest 3");
    expect(text.slice(3)).toEqual(["47000  147  cat", "48000  148  <sh>", "49000  149  cat"]);
    const html = String(d.data["text/html"]);
    expect(html).toContain("7 lost");
    expect(html).toContain("&lt;sh&gt;");
    expect(html.match(/<tr>/g)).toHaveLength(1 + 3);
    const quiet = eventTable({ events: events.slice(0, 2) });
    expect(String(quiet.data["text/plain"]).split("\n")[0]).toBe("events: 2 received, 0 lost");
  });

  it("says a ring buffer's drops are uncounted, with its peak fill, and marks a nearly full ring", () => {
    const events = [{ pid: 1 }, { pid: 2 }];
    const calm = eventTable({ events, lost: 0, dropsUncounted: true, peakFill: 0.034 }, { title: "execs" });
    expect(String(calm.data["text/plain"]).split("\n")[0]).toBe(
      "execs: 2 received, 0 lost (ring buffer drops are not counted by the kernel; peak fill 3%)",
    );
    expect(String(calm.data["text/html"])).not.toContain("color:#b00");
    const full = eventTable({ events, lost: 0, dropsUncounted: true, peakFill: 0.97 }, { title: "execs" });
    expect(String(full.data["text/html"])).toContain("color:#b00");
    expect(full.metadata?.ibcc).toMatchObject({ options: { dropsUncounted: true, peakFill: 0.97 } });
  });
});
