/**
 * Which C type a perf or ring buffer map's events have. BPF_PERF_OUTPUT and
 * BPF_RINGBUF_OUTPUT maps carry no value type, so, like BCC's Python front
 * end, ibcc takes it from the C text: the argument of `NAME.perf_submit(ctx,
 * &data, ...)`, `NAME.ringbuf_output(&data, ...)` or the sizeof() of
 * `NAME.ringbuf_reserve(sizeof(T))`, and the declaration of `data`.
 *
 * To get the exact layout, ibcc appends one single-entry array per event
 * map whose value is that type (`BPF_ARRAY(__ibcc_ev_NAME, T, 1)`): libbcc
 * then describes the type as it does any map value. Appending keeps every
 * line number of the user's text.
 */
import { blankCommentsAndStrings } from "./spec/source.js";

export const EVENT_TYPE_MAP_PREFIX = "__ibcc_ev_";

export interface EventMapDecl {
  map: string;
  kind: "perf" | "ringbuf";
  /** The C type of its events, e.g. "struct data_t", if found. */
  type?: string;
}

const TYPE = String.raw`((?:struct|union)\s+[A-Za-z_]\w*|[A-Za-z_]\w*)`;

function declaredType(text: string, variable: string, isPointer: boolean): string | undefined {
  const re = new RegExp(String.raw`${TYPE}\s*(\*?)\s*\b${variable}\b\s*(?:=|;|\[|,)`, "g");
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const t = m[1].replace(/\s+/g, " ");
    if (/^(return|sizeof|const|volatile|static)$/.test(t)) continue;
    if ((m[2] === "*") === isPointer) return t;
  }
  return undefined;
}

/** `code` is the text with comments and strings blanked, when the caller has it. */
export function findEventMaps(cText: string, code = blankCommentsAndStrings(cText)): EventMapDecl[] {
  const text = code;
  const maps: EventMapDecl[] = [];
  for (const m of text.matchAll(/\bBPF_PERF_OUTPUT\s*\(\s*(\w+)\s*\)/g)) maps.push({ map: m[1], kind: "perf" });
  for (const m of text.matchAll(/\bBPF_RINGBUF_OUTPUT\s*\(\s*(\w+)\s*,/g)) maps.push({ map: m[1], kind: "ringbuf" });
  for (const d of maps) {
    const n = d.map;
    const submit =
      new RegExp(String.raw`\b${n}\s*\.\s*perf_submit\s*\(\s*[^,]+,\s*(&?)\s*(\w+)`).exec(text) ??
      new RegExp(String.raw`\b${n}\s*\.\s*ringbuf_output\s*\(\s*(&?)\s*(\w+)`).exec(text);
    if (submit) {
      d.type = declaredType(text, submit[2], submit[1] !== "&");
      if (d.type) continue;
    }
    const reserve = new RegExp(String.raw`\b${n}\s*\.\s*ringbuf_reserve\s*\(\s*sizeof\s*\(\s*([^)]+?)\s*\)`).exec(text);
    if (reserve) {
      const inner = reserve[1].replace(/\s+/g, " ");
      // sizeof(*p) or sizeof(p): the pointee / variable's type
      const star = /^\*\s*(\w+)$/.exec(inner);
      if (star) d.type = declaredType(text, star[1], true);
      else if (/^(struct|union) \w+$/.test(inner) || !/\W/.test(inner)) d.type = declaredType(text, inner, false) ?? inner;
    } else {
      const assigned = new RegExp(String.raw`${TYPE}\s*\*\s*\w+\s*=\s*(?:\([^)]*\)\s*)?${n}\s*\.\s*ringbuf_reserve`).exec(text);
      if (assigned) d.type = assigned[1].replace(/\s+/g, " ");
    }
  }
  return maps;
}

/** The text to append so that libbcc describes each event type. */
export function eventTypeProbes(decls: EventMapDecl[]): string {
  return decls
    .filter((d) => d.type)
    .map((d) => `\nBPF_ARRAY(${EVENT_TYPE_MAP_PREFIX}${d.map}, ${d.type}, 1);`)
    .join("");
}
