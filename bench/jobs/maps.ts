/**
 * Job 1: read every entry of a 1,000,000-entry u64 -> u64 hash. Both front ends
 * fill it the same way (bench/c/fill.c through a getpgid tracepoint); the C
 * floor is libbpf's batched lookup into preallocated arrays, nothing else.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { BpfMap } from "../../native/types.js";
import { Program } from "../../magics/program.js";
import { blockSpec } from "../../magics/spec/block.js";
import type { NativeApi } from "../../magics/native-api.js";
import { bpfText, FILL_BASE } from "../lib/bpf.js";
import { bigintPairs, decodeAll, decodeColumns, decodeOnly } from "../lib/decode.js";
import { runChild } from "../lib/child.js";
import { binding, why } from "../lib/ibcc.js";
import { runBcc } from "../lib/python.js";
import type { Job, JobContext, Row } from "../lib/row.js";
import { median, min, nowMs, timeEach } from "../lib/stats.js";

/** The decoded read may take at most this many times the C batched-syscall time. */
const TARGET = 1.5;

function floor(ctx: JobContext, entries: number, reps: number, extra: string[] = []): number[] {
  const out = execFileSync(ctx.bin.batch_floor, [String(entries), String(reps), ...extra], { encoding: "utf8" });
  return JSON.parse(out).samples;
}

/** The kernel's id of the map behind one of our fds. */
function mapId(fd: number): number | undefined {
  try {
    const m = /^map_id:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function ibccSide(ctx: JobContext, entries: number, reps: number) {
  const b = await binding();
  const mod = await b.compile(bpfText("big_hash.c"), {
    cflags: [`-DENTRIES=${entries}`, `-DBASE=${FILL_BASE}ULL`],
  });
  try {
    const prog = await mod.load("tracepoint__syscalls__sys_enter_getpgid", "tracepoint");
    const att = prog.attachTracepoint("syscalls", "sys_enter_getpgid");
    const t0 = nowMs();
    execFileSync(ctx.bin.fill, [String(entries)]);
    const fill = nowMs() - t0;
    att.close();
    const big: BpfMap = mod.map("big");
    const check = (count: number) => {
      if (count !== entries) throw new Error(`read ${count} of ${entries} entries`);
    };
    // The same syscall on this very map, interleaved with our reads, so both
    // see the same map layout and the same moment's load.
    const id = mapId(big.fd);
    const same: number[] = [], raw: number[] = [], decoded: number[] = [], columnar: number[] = [];
    for (let r = 0; r < reps; r++) {
      if (id !== undefined) same.push(...floor(ctx, entries, 1, ["id", String(id)]));
      raw.push(...(await timeEach(1, () => check(big.readAll().count))));
      decoded.push(...(await timeEach(1, async () => check((await decodeAll(big)).count))));
      columnar.push(...(await timeEach(1, async () => check((await decodeColumns(big)).count))));
    }
    // What a cell reads: `await NAME.table("big").entries()` (rows made when
    // first read), and the same with every row's value read, as a sum does.
    const fn = "tracepoint__syscalls__sys_enter_getpgid";
    const table = new Program("bench", blockSpec("bench", bpfText("big_hash.c")), mod, new Map([[fn, prog]]), [], new Map(), b as unknown as NativeApi).table("big");
    const tableRows: number[] = [], tableTouched: number[] = [];
    for (let r = 0; r < reps; r++) {
      tableRows.push(...(await timeEach(1, async () => check((await table.entries()).length))));
      tableTouched.push(
        ...(await timeEach(1, async () => {
          const rows = await table.entries();
          let total = 0n;
          for (const row of rows) total += row[1] as bigint;
          if (total === 0n) throw new Error("an empty sum");
          check(rows.length);
        })),
      );
    }
    const how = (await decodeAll(big)).how;
    const all = big.readAll();
    // readAll's Buffers start at offset 0 of their own memory, so BigUint64Array views line up.
    const decodeFn = await decodeOnly(big, all);
    // The diagnostic rows need fewer repetitions than the headline ones.
    const diag = Math.min(reps, 3);
    const decodeSolo = await timeEach(diag, () => check(decodeFn()));
    const allocFloor = all.keys.byteOffset % 8 === 0 && all.values.byteOffset % 8 === 0 ? await timeEach(diag, () => check(bigintPairs(all))) : undefined;
    return { fill: [fill], same: same.length ? same : undefined, raw, decoded, columnar, how, decodeSolo, allocFloor, tableRows, tableTouched };
  } finally {
    mod.close();
  }
}

export const job: Job = {
  name: "maps",
  async run(ctx) {
    const entries = ctx.quick ? 200_000 : 1_000_000;
    const reps = ctx.quick ? 3 : 5;
    const label = entries === 1_000_000 ? "1M" : `${entries / 1000}k`;
    ctx.log(`maps: C floor, ${label} entries`);
    const c = floor(ctx, entries, reps);
    // What readAll() does in C terms: 64k entries a syscall into zeroed growing
    // vectors, then one more copy into the Buffers it returns.
    const cChunked = floor(ctx, entries, reps, ["65536", "copy"]);
    ctx.log("maps: BCC");
    const bcc = await runBcc<Record<string, number[]>>("maps", { entries, reps, items_reps: 1, fill: ctx.bin.fill });
    ctx.log("maps: ibcc");
    let ib: Awaited<ReturnType<typeof ibccSide>> | undefined;
    let missing = "";
    try {
      ib = await ibccSide(ctx, entries, reps);
    } catch (e) {
      missing = "ibcc n/a: " + why(e);
    }
    // V8's young generation is small by default, and a million live BigInts are
    // copied out of it more than once: the same decode with a larger one shows that share.
    ctx.log("maps: decode alone, default heap and --max-semi-space-size=64");
    const heapRun = (flags: string[]) => runChild<{ samples: number[] }>("decode", [String(entries), String(Math.min(reps, 3))], 120_000, {}, flags).then((r) => r.samples).catch(() => undefined);
    const plainHeap = ib ? await heapRun([]) : undefined;
    const bigHeap = ib ? await heapRun(["--max-semi-space-size=64"]) : undefined;
    // The floor is the batched syscall on the map that was read; the fresh C map only when that is missing.
    const cMed = median(ib?.same ?? c);
    const vsFloor = (s?: number[]) => {
      if (!s) return missing;
      const x = median(s) / cMed;
      return `${x.toFixed(2)}x the C floor (target <= ${TARGET}x: ${x <= TARGET ? "met" : "MISSED"})`;
    };
    const vsBcc = (a: number[], b?: number[]) => {
      if (!b?.length) return "BCC n/a";
      const x = median(a) / median(b);
      return `${x.toFixed(2)}x BCC's (target <= 1x: ${x <= 1 ? "met" : "MISSED"})`;
    };
    // Rows of BigInts cost at least the read plus the allocation floor: say so beside the figure.
    const jsBound = (r: NonNullable<typeof ib>) =>
      r.allocFloor ? `; read + JS floor alone = ${((median(r.raw) + min(r.allocFloor)) / cMed).toFixed(2)}x` : "";
    const rows: Row[] = [
      { job: `${label} hash: fill via tracepoint`, unit: "ms", ibcc: ib?.fill, bcc: bcc.fill, note: missing || "same C filler for both" },
      { job: `${label} hash: C libbpf lookup_batch, fresh map`, unit: "ms", ibcc: c, bcc: c, note: "a map filled by update_batch; the same C program in both columns" },
      { job: `${label} hash: C lookup_batch, the map ibcc reads`, unit: "ms", ibcc: ib?.same, note: missing || "the floor below: same syscall, same map, interleaved with the reads (a map filled through the tracepoint reads slower than one filled by update_batch)" },
      { job: `${label} hash: C, 64k a syscall + copies`, unit: "ms", ibcc: cChunked, bcc: cChunked, note: "the steps readAll() takes, in C; the same program in both columns" },
      { job: `${label} hash: readAll raw / items_lookup_batch`, unit: "ms", ibcc: ib?.raw, bcc: bcc.batch, note: vsFloor(ib?.raw) },
      { job: `${label} hash: decoded to JS / items_lookup_batch`, unit: "ms", ibcc: ib?.decoded, bcc: bcc.batch, note: ib ? `${ib.how}; ${vsFloor(ib.decoded)}${jsBound(ib)}` : missing },
      { job: `${label} hash: columnar / items_lookup_batch`, unit: "ms", ibcc: ib?.columnar, bcc: bcc.batch, note: vsFloor(ib?.columnar) },
      { job: `${label} hash: await table.entries() / items_lookup_batch`, unit: "ms", ibcc: ib?.tableRows, bcc: bcc.batch, note: ib ? `a cell's read: Table of NAME.table(), rows made when first read; ${vsBcc(ib.tableRows, bcc.batch)}` : missing },
      { job: `${label} hash: the same, every value read`, unit: "ms", ibcc: ib?.tableTouched, bcc: bcc.batch_touched, note: ib ? `a sum over the rows on both sides; ${vsBcc(ib.tableTouched, bcc.batch_touched)}` : missing },
      { job: `${label} hash: decode alone, no syscalls`, unit: "ms", ibcc: ib?.decodeSolo, note: missing || "Codec.decodeMany of keys and values + pairs, on bytes already read" },
      { job: `${label} hash: decode alone, fresh node`, unit: "ms", ibcc: plainHeap, note: missing || "synthetic bytes, default V8 heap" },
      { job: `${label} hash: decode alone, semi-space 64 MB`, unit: "ms", ibcc: bigHeap, note: missing || "the same, node --max-semi-space-size=64" },
      { job: `${label} hash: BigInt pairs alone (JS floor)`, unit: "ms", ibcc: ib?.allocFloor, note: missing || "2 BigInts + 1 array per entry from BigUint64Array views" },
      { job: `${label} hash: decoded to JS / items()`, unit: "ms", ibcc: ib?.decoded, bcc: bcc.items, note: "BCC items(): a syscall per key" },
    ];
    return rows;
  },
};
