/**
 * Decoding alone, on u64 -> u64 bytes laid out as readAll() returns them, in a
 * fresh process, so the effect of V8 heap flags (the parent passes them) shows
 * on its own. Prints one JSON line with each decode's duration in ms.
 */
import type { BpfMap } from "../../native/types.js";
import { decodeOnly } from "../lib/decode.js";
import { timeEach } from "../lib/stats.js";

const entries = Number(process.argv[2] ?? 1_000_000);
const reps = Number(process.argv[3] ?? 5);
const keys = Buffer.alloc(8 * entries);
const values = Buffer.alloc(8 * entries);
for (let i = 0; i < entries; i++) {
  keys.writeBigUInt64LE(BigInt(i), 8 * i);
  values.writeBigUInt64LE(BigInt(2 * i), 8 * i);
}
// Only the fields the codecs are made from.
const map = { keyDesc: "unsigned long long", valueDesc: "unsigned long long", keySize: 8, valueSize: 8 } as unknown as BpfMap;
const decode = await decodeOnly(map, { keys, values, count: entries });
const samples = await timeEach(reps, () => {
  if (decode() !== entries) throw new Error("short decode");
});
process.stdout.write(JSON.stringify({ samples }) + "\n");
