/**
 * A `%%bpf` block's whole spec: its header's options plus the functions its
 * C text attaches by naming convention. Options win when both name the same
 * function (an explicit --tracepoint on a kprobe__x function, say).
 */
import { BlockSpec } from "./types.js";
import { parseHeader } from "./header.js";
import { scanConventions } from "./conventions.js";

export function blockSpec(args: string, cText: string): BlockSpec {
  const header = parseHeader(args);
  const attach: BlockSpec["attach"] = header.attach.map((a) => ({ ...a, origin: "option" as const }));
  const explicit = new Set(header.attach.map((a) => a.fn));
  for (const { attach: a } of scanConventions(cText)) {
    if (!explicit.has(a.fn)) attach.push({ ...a, origin: "convention" });
  }
  return { name: header.name, cflags: header.cflags, noAttach: header.noAttach, attach };
}
