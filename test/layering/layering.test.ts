/**
 * DESIGN's layering, file by file: no import circle among our sources;
 * native/ imports nothing of ours outside itself; kernel/ knows nothing of
 * BPF (neither magics/ nor native/); the display layer knows nothing of
 * sockets (no protocol, transport or engine). Read from each file's imports
 * with the TypeScript compiler, type-only ones included.
 */
import { describe, expect, it } from "vitest";
import { circles, importsOf, sourceFiles } from "./imports.js";

const files = sourceFiles(["kernel", "magics", "native"]);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Every import of a file under `from` that lands under one of `to`, as "a -> b". */
function crossings(from: string, to: string[], except: (target: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith(from)) continue;
    for (const t of targets) if (to.some((p) => t.startsWith(p)) && !except(t)) out.push(`${file} -> ${t}`);
  }
  return out;
}

describe("layering", () => {
  it("reads the imports it checks", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get("magics/program.ts")).toContain("magics/table.ts");
    // a type-only import counts
    expect(graph.get("kernel/display/bundle.ts")).toContain("kernel/io.ts");
  });

  it("has no import circle among kernel/, magics/ and native/", () => {
    expect(circles(graph).map((c) => c.join(" → "))).toEqual([]);
  });

  it("native/ imports nothing of ours outside native/", () => {
    expect(crossings("native/", ["kernel/", "magics/", "bench/", "test/"])).toEqual([]);
  });

  it("kernel/ imports nothing of magics/ or native/", () => {
    expect(crossings("kernel/", ["magics/", "native/"])).toEqual([]);
  });

  it("the display layer imports nothing of the protocol, the transport or the engine", () => {
    expect(crossings("kernel/display/", ["kernel/protocol/", "kernel/transport/", "kernel/engine"])).toEqual([]);
  });
});
