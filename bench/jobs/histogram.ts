/** Job 2: read a 64-slot BPF_HISTOGRAM, the read a live chart repeats. */
import type { BpfMap } from "../../native/types.js";
import { bpfText } from "../lib/bpf.js";
import { decodeAll } from "../lib/decode.js";
import { binding, why } from "../lib/ibcc.js";
import { runBcc } from "../lib/python.js";
import type { Job, Row } from "../lib/row.js";
import { timeEach } from "../lib/stats.js";

async function ibccSide(reps: number) {
  const b = await binding();
  const mod = await b.compile(bpfText("hist.c"));
  try {
    const dist: BpfMap = mod.map("dist");
    for (let i = 0; i < 64; i++) {
      const k = Buffer.alloc(4);
      k.writeInt32LE(i);
      const v = Buffer.alloc(8);
      v.writeBigUInt64LE(BigInt(3 * i + 1));
      dist.update(k, v);
    }
    const raw = await timeEach(reps, () => {
      if (dist.readAll().count !== 64) throw new Error("histogram read short");
    });
    let how = "";
    const decoded = await timeEach(reps, async () => {
      const d = await decodeAll(dist);
      how = d.how;
      if (d.count !== 64) throw new Error("histogram decode short");
    });
    return { raw, decoded, how };
  } finally {
    mod.close();
  }
}

export const job: Job = {
  name: "histogram",
  async run(ctx) {
    const reps = ctx.quick ? 50 : 300;
    ctx.log("histogram: BCC");
    const bcc = await runBcc<Record<string, number[]>>("hist", { reps });
    ctx.log("histogram: ibcc");
    let ib: Awaited<ReturnType<typeof ibccSide>> | undefined;
    let missing = "";
    try {
      ib = await ibccSide(reps);
    } catch (e) {
      missing = "ibcc n/a: " + why(e);
    }
    const rows: Row[] = [
      { job: "64-slot hist: readAll raw / items_lookup_batch", unit: "ms", ibcc: ib?.raw, bcc: bcc.batch, note: missing },
      { job: "64-slot hist: decoded to JS / items_lookup_batch", unit: "ms", ibcc: ib?.decoded, bcc: bcc.batch, note: ib?.how ?? missing },
      { job: "64-slot hist: decoded to JS / items()", unit: "ms", ibcc: ib?.decoded, bcc: bcc.items, note: missing },
    ];
    return rows;
  },
};
