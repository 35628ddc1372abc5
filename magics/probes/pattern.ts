/**
 * `%probes` patterns, as `bpftrace -l` takes them: `TYPE:REST` with globs
 * (`tracepoint:sched:*`, `t:*:sched_switch`, `kfunc:vfs_*`), targets for the
 * user-space types (`uprobe:/usr/bin/python3.11:*Py*`, `usdt:PID`), and bare
 * words that match anywhere in a probe's full name (`*block*`, `sched_switch`).
 */
export class PatternError extends Error {
  override name = "PatternError";
}

export type ProbeType = "tracepoint" | "rawtracepoint" | "kfunc" | "uprobe" | "usdt";

/** Each type with the spellings it is known by. */
export const PROBE_TYPES: Record<ProbeType, string[]> = {
  tracepoint: ["tracepoint", "t"],
  rawtracepoint: ["rawtracepoint", "raw_tracepoint", "rawtp", "rt"],
  kfunc: ["kfunc", "fentry", "f"],
  uprobe: ["uprobe", "u"],
  usdt: ["usdt", "U"],
};

/** The types a pattern without a target lists. */
export const KERNEL_TYPES: ProbeType[] = ["tracepoint", "rawtracepoint", "kfunc"];

export type ProbeQuery =
  | { kind: "kernel"; types: ProbeType[]; /** Matches a full probe name. */ match: (name: string) => boolean }
  | { kind: "uprobe"; target: string; match: (symbol: string) => boolean }
  | { kind: "usdt"; target: string; match: (providerAndName: string) => boolean };

/** A glob (`*`, `?`, `[abc]`, `[!abc]`) as an anchored regular expression. */
export function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) throw new PatternError(`'${glob}': '[' without its ']'`);
      let cls = glob.slice(i + 1, close);
      if (cls.startsWith("!")) cls = "^" + cls.slice(1);
      re += `[${cls.replace(/\\/g, "\\\\")}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const hasGlob = (s: string) => /[*?[]/.test(s);

function typeOf(word: string, pattern: string): ProbeType[] {
  if (!hasGlob(word)) {
    const t = (Object.keys(PROBE_TYPES) as ProbeType[]).find((k) => PROBE_TYPES[k].includes(word));
    if (!t) {
      // "sched:sched_switch" is usually a tracepoint written without its type
      const hint = /^\w+$/.test(word) ? `; if ${word} is a tracepoint category: tracepoint:${pattern}` : "";
      throw new PatternError(
        `unknown probe type '${word}'; types are ${Object.keys(PROBE_TYPES).join(", ")} (uprobe and usdt take a binary: uprobe:/path/to/binary:SYMBOL)${hint}`,
      );
    }
    return [t];
  }
  const re = globRegExp(word);
  // wildcard types cover only what needs no target
  return KERNEL_TYPES.filter((t) => PROBE_TYPES[t].some((s) => re.test(s)));
}

export function parsePattern(pattern: string): ProbeQuery {
  const p = pattern.trim();
  if (/\s/.test(p)) throw new PatternError(`'${p}': a pattern has no spaces`);
  if (!p) return { kind: "kernel", types: KERNEL_TYPES, match: () => true };
  const colon = p.indexOf(":");
  if (colon < 0) {
    const re = globRegExp(hasGlob(p) ? p : `*${p}*`);
    return { kind: "kernel", types: KERNEL_TYPES, match: (n) => re.test(n) };
  }
  const types = typeOf(p.slice(0, colon), p);
  const rest = p.slice(colon + 1);
  if (types.length === 1 && (types[0] === "uprobe" || types[0] === "usdt")) {
    // the binary is everything up to the next ':'; a path rarely holds one
    const c2 = rest.indexOf(":");
    const target = c2 < 0 ? rest : rest.slice(0, c2);
    const glob = c2 < 0 ? "*" : rest.slice(c2 + 1) || "*";
    if (!target)
      throw new PatternError(types[0] === "uprobe" ? "uprobe needs a binary: uprobe:/path/to/binary[:SYMBOL]" : "usdt needs a binary or a pid: usdt:/path/to/binary[:PROVIDER:NAME] or usdt:PID");
    if (hasGlob(target)) throw new PatternError(`'${target}': the binary cannot be a wildcard; give its path`);
    const re = globRegExp(glob);
    if (types[0] === "uprobe") return { kind: "uprobe", target, match: (s) => re.test(s) };
    const full = glob.includes(":") ? re : globRegExp(`${glob}:*`);
    const either = (s: string) => full.test(s) || re.test(s.slice(s.indexOf(":") + 1));
    return { kind: "usdt", target, match: either };
  }
  const re = globRegExp(rest || "*");
  return {
    kind: "kernel",
    types,
    match: (n) => re.test(n.slice(n.indexOf(":") + 1)),
  };
}
