/**
 * bpftrace as a child process: `bpftrace -f json -e TEXT`, its stdout read as
 * JSON records, its stderr kept for diagnostics. The child is started through
 * util-linux's `setpriv --pdeathsig KILL`, so it dies with the kernel even when
 * the kernel is SIGKILLed: nothing of it (and so no probe) outlives the kernel.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { CellError } from "../../kernel/plugin.js";
import { parseLine, type BpftraceRecord } from "./json.js";

/** The first executable `name` on PATH (and the sbin directories root's PATH may lack). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
  for (const d of dirs) {
    if (!d) continue;
    try {
      accessSync(join(d, name), constants.X_OK);
      return join(d, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

export function bpftraceMissing(): CellError {
  const text = "bpftrace is not installed: install Debian's package with `apt-get install -y bpftrace` (scripts/setup.sh does)";
  return new CellError("MissingBpftrace", text, [`MissingBpftrace: ${text}`]);
}

// bpftrace 0.17 says so on every start when the memlock limit cannot be raised,
// which this kernel does not need (BPF memory is charged to the memory cgroup).
const NOISE = /couldn't set RLIMIT_MEMLOCK/;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class BpftraceProcess {
  private readonly child: ChildProcess;
  private stdoutRest = "";
  private stderrText = "";
  private exitInfo?: Exit;
  /** Resolves when the process has exited and its output is all read. */
  readonly exited: Promise<Exit>;

  constructor(program: string, onRecord: (r: BpftraceRecord) => void, onStderr: (text: string) => void) {
    const bpftrace = findExecutable("bpftrace");
    if (!bpftrace) throw bpftraceMissing();
    const setpriv = findExecutable("setpriv");
    const argv = [bpftrace, "-f", "json", "-e", program];
    const [cmd, ...args] = setpriv ? [setpriv, "--pdeathsig", "KILL", "--", ...argv] : argv;
    this.child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BPFTRACE_COLOR: "never" } });
    this.child.stdout!.setEncoding("utf8");
    this.child.stderr!.setEncoding("utf8");
    this.child.stdout!.on("data", (chunk: string) => {
      const lines = (this.stdoutRest + chunk).split("\n");
      this.stdoutRest = lines.pop()!;
      for (const line of lines) for (const r of parseLine(line) ?? []) onRecord(r);
    });
    this.child.stderr!.on("data", (chunk: string) => {
      this.stderrText += chunk;
      onStderr(chunk);
    });
    const streamsDone = Promise.all([
      new Promise((r) => this.child.stdout!.on("close", r)),
      new Promise((r) => this.child.stderr!.on("close", r)),
    ]);
    this.exited = new Promise<Exit>((resolve) => {
      this.child.on("error", (err) => {
        this.stderrText += `${err.message}\n`;
        this.exitInfo = { code: -1, signal: null };
        resolve(this.exitInfo);
      });
      this.child.on("exit", (code, signal) => {
        void streamsDone.then(() => {
          for (const r of parseLine(this.stdoutRest) ?? []) onRecord(r);
          this.stdoutRest = "";
          this.exitInfo = { code, signal };
          resolve(this.exitInfo);
        });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exit(): Exit | undefined {
    return this.exitInfo;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** What bpftrace wrote to stderr, without its memlock notice. */
  get stderr(): string {
    return this.stderrText
      .split(/(?<=\n)/)
      .filter((l) => !NOISE.test(l))
      .join("");
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      this.child.kill(sig);
    } catch {
      // already gone
    }
  }

  /**
   * SIGINT (bpftrace prints its maps and exits), then SIGKILL when it has not
   * exited after `graceMs`. Resolves once it has exited.
   */
  async stop(graceMs = 3000): Promise<Exit> {
    if (!this.running) return this.exitInfo!;
    this.signal("SIGINT");
    // bpftrace 0.17 can miss a SIGINT that comes just after BEGIN runs (it then
    // waits for events that may never come): asking again is harmless.
    const again = setInterval(() => this.signal("SIGINT"), 250);
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearInterval(again);
      clearTimeout(timer);
    }
  }
}
