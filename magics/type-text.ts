/**
 * The TypeScript type of a program bound to a global, so that completion and
 * type checking know `NAME.maps.<map>` with its key and value types and the
 * record type of `NAME.events("<map>")`. The names refer to the ambient
 * declarations the plugin gives the kernel (declarations.ts).
 */
import type { Program } from "./program.js";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const prop = (n: string) => (IDENT.test(n) ? n : JSON.stringify(n));

export function programTypeText(p: Program): string {
  const maps: string[] = [];
  const events: string[] = [];
  for (const info of p.mapInfo()) {
    if (info.type === "perf_event_array" || info.type === "ringbuf") {
      const codec = p.eventCodecs.get(info.name);
      events.push(`${prop(info.name)}: ${codec ? codec.tsType : "unknown"}`);
      maps.push(`${prop(info.name)}: BpfTable<never, never>`);
    } else if (info.type === "prog_array") {
      maps.push(`${prop(info.name)}: BpfProgArray`);
    } else if (info.type === "stack_trace") {
      maps.push(`${prop(info.name)}: BpfTable<number, bigint[]>`);
    } else {
      maps.push(`${prop(info.name)}: BpfTable<${info.key}, ${info.value}>`);
    }
  }
  return `BpfProgram<{ ${maps.join("; ")} }, { ${events.join("; ")} }>`;
}
