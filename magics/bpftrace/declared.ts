/**
 * What the program text says about each map: the function that fills it
 * (`@x = lhist(...)`, `@[comm] = count()`) and the key expression between the
 * brackets, so that a map's output is read as what it is (lhist and hist print
 * alike in JSON) and a keyed histogram's sections are headed by its key.
 */
export interface MapDeclaration {
  fn: string;
  /** The key as written, e.g. "comm" or "comm, pid"; undefined for a map without key. */
  key?: string;
}

const ASSIGN = /(@[A-Za-z_0-9]*)\s*(\[)?/g;

/** The text between the bracket at `open` and its match, or undefined. */
function bracketed(text: string, open: number): { inner: string; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "[") depth++;
    else if (text[i] === "]" && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
  }
  return undefined;
}

export function declaredMaps(program: string): Map<string, MapDeclaration> {
  const found = new Map<string, MapDeclaration>();
  for (const m of program.matchAll(ASSIGN)) {
    const name = m[1];
    let at = m.index! + name.length;
    let key: string | undefined;
    if (m[2]) {
      const b = bracketed(program, program.indexOf("[", at));
      if (!b) continue;
      key = b.inner.trim();
      at = b.end;
    }
    const call = /^\s*=\s*([A-Za-z_]\w*)\s*\(/.exec(program.slice(at));
    if (!call) continue;
    if (!found.has(name) || ["hist", "lhist"].includes(call[1])) found.set(name, { fn: call[1], key });
  }
  return found;
}
