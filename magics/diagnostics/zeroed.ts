/**
 * Whether a C text visibly fills every variable of a type whole before use,
 * so that padding holes in it hold zeros, not stack garbage. The rule, on
 * the text without comments and strings: each non-pointer declaration of
 * the type (and, for ring buffers, each pointer set from ringbuf_reserve) is
 * either initialized with `= {}` or `= {0}`, or followed, before the name is
 * declared again, by `__builtin_memset(&v, 0,` / `memset(&v, 0,`
 * (`memset(p, 0,` for a pointer) or by a whole copy into it
 * (`bpf_probe_read*(&v, ...)`, `__builtin_memcpy(&v, ...)`), or by a call
 * `f(&v, ...)` to a function of the text that memsets that pointer parameter
 * to 0 (a `make_key(struct key_t *k, ...)` helper). A designated
 * initializer does not count: clang stores the members and leaves the holes.
 * A text approximation of scope, not a C parser: it errs towards warning.
 */

export interface Declared {
  name: string;
  pointer: boolean;
  /** What follows '=' in the declarator, if anything. */
  init?: string;
  offset: number;
}

/** The C spellings of a struct description's name: `struct N` and a typedef `N`. */
function typeWords(text: string, name: string): RegExp | undefined {
  if (!/^\w+$/.test(name)) return undefined;
  const typedef =
    new RegExp(String.raw`\btypedef\b[^;{]*\b${name}\s*;`).test(text) || new RegExp(String.raw`\btypedef\b[^;]*\{[\s\S]*?\}\s*${name}\s*;`).test(text);
  return new RegExp(String.raw`\b(?:struct|union)\s+${name}\b(?!\s*\{)` + (typedef ? String.raw`|(?<![\w.>])${name}\b(?!\s*[({])` : ""), "g");
}

/** The end of a declaration: the ';' at depth 0 from `from`. */
function declarationEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") {
      if (--depth < 0) return -1;
    } else if (c === ";" && depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") depth--;
    else if (c === "," && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Whether `at` is inside a struct or union definition's braces: a member, not a variable. */
function inTypeBody(text: string, at: number): boolean {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    const c = text[i];
    if (c === "}") depth++;
    else if (c === "{") {
      if (depth === 0) return /\b(?:struct|union)(?:\s+\w+)?\s*$/.test(text.slice(Math.max(0, i - 80), i));
      depth--;
    }
  }
  return false;
}

/** Every variable declared with the type, in order. Casts, sizeof and parameters are not declarations. */
export function declarationsOf(text: string, name: string): Declared[] {
  const re = typeWords(text, name);
  if (!re) return [];
  const out: Declared[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const before = text.slice(0, m.index).trimEnd();
    if (/[(,]$/.test(before) || /\bsizeof$/.test(before) || inTypeBody(text, m.index)) continue;
    const start = m.index + m[0].length;
    const end = declarationEnd(text, start);
    if (end < 0) continue;
    for (const part of splitTopLevel(text.slice(start, end))) {
      const d = /^\s*(\**)\s*(?:const\s+)?([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*(?:=([\s\S]*))?$/.exec(part);
      if (d) out.push({ name: d[2], pointer: d[1].length > 0, init: d[3]?.trim(), offset: start });
    }
  }
  return out;
}

/** Functions of the text that memset a pointer parameter of the type to 0, with that parameter's position. */
function zeroingHelpers(text: string, name: string): Array<{ fn: string; index: number }> {
  const words = typeWords(text, name);
  if (!words) return [];
  const out: Array<{ fn: string; index: number }> = [];
  const head = /\b([A-Za-z_]\w*)\s*\(([^()]*)\)\s*\{/g;
  let m: RegExpExecArray | null;
  while ((m = head.exec(text))) {
    const params = splitTopLevel(m[2]);
    let depth = 1;
    let i = m.index + m[0].length;
    for (; i < text.length && depth > 0; i++) depth += text[i] === "{" ? 1 : text[i] === "}" ? -1 : 0;
    const body = text.slice(m.index + m[0].length, i);
    params.forEach((param, index) => {
      words.lastIndex = 0;
      const p = /\*\s*(?:const\s+)?([A-Za-z_]\w*)\s*$/.exec(param);
      if (!p || !words.test(param)) return;
      if (new RegExp(String.raw`\b(?:__builtin_)?memset\s*\(\s*${p[1]}\s*,\s*0\s*,`).test(body)) out.push({ fn: m![1], index });
    });
  }
  return out;
}

/** Whether `&name` is the argument at `index` of a call to `fn` in `scope`. */
function passedTo(scope: string, fn: string, index: number, name: string): boolean {
  const call = new RegExp(String.raw`\b${fn}\s*\(`, "g");
  let m: RegExpExecArray | null;
  while ((m = call.exec(scope))) {
    const open = m.index + m[0].length;
    let depth = 1;
    let i = open;
    for (; i < scope.length && depth > 0; i++) depth += scope[i] === "(" ? 1 : scope[i] === ")" ? -1 : 0;
    const arg = splitTopLevel(scope.slice(open, i - 1))[index];
    if (arg !== undefined && new RegExp(String.raw`^\s*&\s*${name}\s*$`).test(arg)) return true;
  }
  return false;
}

/** Whether the text fills one declared variable whole before use (see the rule above). */
function filledWhole(text: string, d: Declared, all: Declared[], helpers: Array<{ fn: string; index: number }> = []): boolean {
  if (!d.pointer && d.init !== undefined && /^\{\s*(0\s*)?\}$/.test(d.init)) return true;
  const next = all.find((o) => o.offset > d.offset && o.name === d.name)?.offset ?? text.length;
  const scope = text.slice(d.offset, next);
  const v = d.pointer ? String.raw`\(?\s*${d.name}\s*\)?` : String.raw`&\s*${d.name}`;
  return (
    new RegExp(String.raw`\b(?:__builtin_)?memset\s*\(\s*${v}\s*,\s*0\s*,`).test(scope) ||
    new RegExp(String.raw`\b(?:bpf_probe_read\w*|__builtin_memcpy|memcpy)\s*\(\s*${v}\s*,`).test(scope) ||
    (!d.pointer && helpers.some((h) => passedTo(scope, h.fn, h.index, d.name)))
  );
}

/** The first variable of the type that is not visibly filled whole, or "" when none is seen; undefined when all are. */
export function unzeroed(text: string, name: string, ringbuf: boolean): string | undefined {
  const all = declarationsOf(text, name);
  const relevant = all.filter((d) => !d.pointer || (ringbuf && d.init !== undefined && /\bringbuf_reserve\s*\(/.test(d.init)));
  if (relevant.length === 0) return "";
  const helpers = zeroingHelpers(text, name);
  const bad = relevant.find((d) => !filledWhole(text, d, all, helpers));
  return bad ? (bad.pointer ? `*${bad.name}` : bad.name) : undefined;
}
