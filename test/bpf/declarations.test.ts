import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { DECLARATIONS } from "../../magics/declarations.js";

function check(code: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "ibcc-decl-"));
  try {
    writeFileSync(join(dir, "globals.d.ts"), DECLARATIONS);
    writeFileSync(join(dir, "cell.ts"), code);
    // the kernel's language service has Node's types; of those the declarations use AbortSignal only
    writeFileSync(join(dir, "node.d.ts"), "interface AbortSignal { readonly aborted: boolean }");
    const program = ts.createProgram([join(dir, "node.d.ts"), join(dir, "globals.d.ts"), join(dir, "cell.ts")], {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts"],
      types: [],
      noEmit: true,
      module: ts.ModuleKind.ESNext,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("declarations for TypeScript cells", () => {
  it("type a bound program's maps and events", () => {
    const errors = check(`
declare const snoop: BpfProgram<{ counts: BpfTable<{ comm: string }, bigint>; execs: BpfTable<never, never> }, { execs: { pid: number; comm: string } }>;
const n: bigint | undefined = snoop.maps.counts.get({ comm: "sh" });
async function f() {
  for await (const e of snoop.events("execs")) { const p: number = e.pid; const c: string = e.comm; }
  const stream = snoop.events("execs");
  const counted: boolean = stream.lostCounted;
  const fill: number | undefined = stream.peakFill;
  const cols = snoop.maps.counts.entriesColumnar();
  const rows: number = cols.count;
  const p = await BPF.load({ text: "", attach: false });
  const h = p.table("dist").histogram({ section: "disk" });
  const t: string = h.text();
  const s = p.stacks().folded();
  await snoop.maps.counts.watch({ every: 500, for: 5000, view: "histogram" });
}
export {};
`);
    expect(errors, errors.join("\n")).toEqual([]);
  });
  it("catch a wrong key type", () => {
    const errors = check(`
declare const p: BpfProgram<{ counts: BpfTable<{ comm: string }, bigint> }, {}>;
p.maps.counts.get(1);
export {};
`);
    expect(errors.length).toBe(1);
  });
});
