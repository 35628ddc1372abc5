/** The bench's command line: `--quick`, `--only a,b` (or `--only=a,b`, repeatable), `--help`. */
export interface Options {
  quick: boolean;
  help: boolean;
  /** Words; a job runs when its name contains any of them. Empty: every job. */
  only: string[];
}

export function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, help: false, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--only") o.only.push(...(argv[++i] ?? "").split(","));
    else if (a.startsWith("--only=")) o.only.push(...a.slice(7).split(","));
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  o.only = o.only.map((w) => w.trim()).filter(Boolean);
  return o;
}
