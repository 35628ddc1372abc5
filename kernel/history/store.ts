/**
 * Cell history kept across kernel restarts: one JSON line per stored cell in
 * $IBCC_DATA_DIR/history.jsonl (default ~/.local/share/ibcc), readable only by
 * its owner because cells may hold secrets. Each kernel process is a new session.
 *
 * The file only grows (several kernels may append to it at once, so it is
 * never rewritten), but a kernel reads only its last 4 MiB, and an output is
 * kept to 4 KiB: time and memory stay bounded however long the history gets.
 * Older cells stay in the file. At start a kernel reads only the last 64 KiB,
 * for its session number; the earlier sessions' cells are read on the first
 * request for them (a history_request), off the path of the first reply.
 */
import { appendFileSync, chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  output?: string | null;
}

/** One JSON line: an input, or (without `i`) the output of an input written before it. */
interface Line {
  s: number;
  l: number;
  i?: string;
  o?: string | null;
}

/** How much of the file's end a kernel reads for earlier sessions' cells. */
export const HISTORY_TAIL_BYTES = 4 * 1024 * 1024;
/** How much of it a kernel reads at start, for the number of the last session. */
const SESSION_TAIL_BYTES = 64 * 1024;
/** An output's text/plain beyond this many characters is cut, with a note of its length. */
export const HISTORY_OUTPUT_CHARS = 4096;

export function defaultHistoryPath(): string {
  const dir = process.env.IBCC_DATA_DIR || join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "ibcc");
  return join(dir, "history.jsonl");
}

export class HistoryStore {
  /** Earlier sessions' cells, read from the file on first use. */
  private earlier?: HistoryEntry[];
  /** This session's cells. */
  private readonly own: HistoryEntry[] = [];
  readonly session: number;
  /** A killed kernel may leave a torn last line; the next entry starts on a new one. */
  private needsNewline = false;

  constructor(private readonly path: string = defaultHistoryPath()) {
    let last = 0;
    if (existsSync(path)) {
      const { content, cut } = readTail(path, SESSION_TAIL_BYTES);
      this.needsNewline = content.length > 0 && !content.endsWith("\n");
      for (const l of parseLines(content, cut)) last = Math.max(last, l.s);
    }
    this.session = last + 1;
  }

  /** Every entry kept: earlier sessions' (read now if not yet), then this one's. */
  private get entries(): HistoryEntry[] {
    this.earlier ??= this.readEarlier();
    return this.earlier.length ? [...this.earlier, ...this.own] : this.own;
  }

  private readEarlier(): HistoryEntry[] {
    const entries: HistoryEntry[] = [];
    if (!existsSync(this.path)) return entries;
    const { content, cut } = readTail(this.path, HISTORY_TAIL_BYTES);
    const find = (session: number, line: number): HistoryEntry | undefined => {
      for (let i = entries.length - 1; i >= 0; i--) if (entries[i].session === session && entries[i].line === line) return entries[i];
      return undefined;
    };
    for (const l of parseLines(content, cut)) {
      // This session's own lines are kept in memory as they are written.
      if (l.s >= this.session) continue;
      if (typeof l.i === "string") entries.push({ session: l.s, line: l.l, input: l.i, output: l.o ?? null });
      else {
        const entry = find(l.s, l.l);
        if (entry) entry.output = l.o ?? null;
      }
    }
    return entries;
  }

  add(line: number, input: string, output: string | null = null): void {
    const entry: HistoryEntry = { session: this.session, line, input, output: output === null ? null : bounded(output) };
    this.own.push(entry);
    try {
      this.write({ s: entry.session, l: line, i: input, o: entry.output });
    } catch (err) {
      process.stderr.write(`ibcc: could not write history to ${this.path}: ${(err as Error).message}\n`);
    }
  }

  /** Records the output (text/plain of the result) of a line of this session. */
  setOutput(line: number, output: string): void {
    const entry = this.findOwn(line);
    if (!entry) return;
    entry.output = bounded(output);
    try {
      this.write({ s: this.session, l: line, o: entry.output });
    } catch (err) {
      process.stderr.write(`ibcc: could not write history to ${this.path}: ${(err as Error).message}\n`);
    }
  }

  private findOwn(line: number): HistoryEntry | undefined {
    for (let i = this.own.length - 1; i >= 0; i--) if (this.own[i].line === line) return this.own[i];
    return undefined;
  }

  /** The last `n` entries over all sessions, oldest first. */
  tail(n: number): HistoryEntry[] {
    return n > 0 ? this.entries.slice(-n) : [];
  }

  /**
   * Lines [start, stop) of one session; session 0 is the current one and a
   * negative session counts back from it, as in IPython.
   */
  range(session: number, start: number, stop?: number): HistoryEntry[] {
    const s = session <= 0 ? this.session + session : session;
    return this.entries.filter((e) => e.session === s && e.line >= start && (stop === undefined || e.line < stop));
  }

  /** Glob search (`*`, `?`) over inputs; the last `n` matches, optionally unique by input. */
  search(pattern: string, n?: number, unique = false): HistoryEntry[] {
    const re = globToRegExp(pattern);
    let found = this.entries.filter((e) => re.test(e.input));
    if (unique) {
      const seen = new Set<string>();
      found = found.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input) !== undefined).reverse();
    }
    return n && n > 0 ? found.slice(-n) : found;
  }

  private write(line: Line): void {
    const dir = join(this.path, "..");
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fresh = !existsSync(this.path);
    appendFileSync(this.path, (this.needsNewline ? "\n" : "") + JSON.stringify(line) + "\n", { mode: 0o600 });
    this.needsNewline = false;
    if (fresh) chmodSync(this.path, 0o600);
  }
}

function bounded(output: string): string {
  if (output.length <= HISTORY_OUTPUT_CHARS) return output;
  return `${output.slice(0, HISTORY_OUTPUT_CHARS)}… [${output.length.toLocaleString("en-US")} characters, cut to ${HISTORY_OUTPUT_CHARS.toLocaleString("en-US")} in the history]`;
}

/** The whole lines of a tail read; `cut` when it starts mid-file, and so mid-line. */
function* parseLines(content: string, cut: boolean): Generator<Line> {
  const lines = content.split("\n");
  if (cut) lines.shift();
  for (const text of lines) {
    if (!text) continue;
    try {
      yield JSON.parse(text) as Line;
    } catch {
      // A torn line from a killed kernel: skip it, keep the rest.
    }
  }
}

/** The last `bytes` of a file as text, and whether that is less than the whole file. */
function readTail(path: string, bytes: number): { content: string; cut: boolean } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, size - length + got);
      if (n === 0) break;
      got += n;
    }
    return { content: buf.toString("utf8", 0, got), cut: size > length };
  } finally {
    closeSync(fd);
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}
