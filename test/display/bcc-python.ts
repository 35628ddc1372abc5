/**
 * Runs Debian's python3-bpfcc table printers on the same counts, so the text
 * histograms are compared with what BCC itself prints (no BPF program is
 * loaded: the printers are plain functions of bcc.table).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const PYTHON = "/usr/bin/python3";

export interface PyCase {
  kind: "log2" | "linear";
  valType: string;
  strip: boolean;
  /** Counts by bucket index, as decimal strings (exact past 2^53). */
  vals?: string[];
  sections?: Array<{ section: string; vals: string[] }>;
  sectionHeader?: string;
}

const SCRIPT = String.raw`
import contextlib, io, json, sys
from bcc import table
out = []
for case in json.load(sys.stdin):
    buf = io.StringIO()
    size = table.log2_index_max if case["kind"] == "log2" else table.linear_index_max
    fn = table._print_log2_hist if case["kind"] == "log2" else table._print_linear_hist
    def dense(vs):
        vals = [0] * size
        for i, v in enumerate(vs):
            vals[i] = int(v)
        return vals
    with contextlib.redirect_stdout(buf):
        if "sections" in case:
            for s in case["sections"]:
                # What BPF.print_log2_hist prints per section with section_print_fn.
                print("\n%s = %s" % (case["sectionHeader"], s["section"]))
                fn(dense(s["vals"]), case["valType"], case["strip"])
        else:
            fn(dense(case["vals"]), case["valType"], case["strip"])
    out.append(buf.getvalue())
json.dump(out, sys.stdout)
`;

export function bccAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ["-c", "from bcc import table; table._print_log2_hist; table._print_linear_hist"], {
      stdio: "ignore",
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
}

/** What bcc prints for each case. */
export function bccPrints(cases: PyCase[]): string[] {
  const out = execFileSync(PYTHON, ["-c", SCRIPT], {
    input: JSON.stringify(cases),
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as string[];
}
