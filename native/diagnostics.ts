/**
 * Parses clang's diagnostics as libbcc prints them. libbcc compiles the text
 * as /virtual/main.c, which is reported here as "main.c"; diagnostics in
 * headers keep the header's path.
 */
import type { Diagnostic } from "./types.js";

const LINE = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note): (.*)$/;

export function parseDiagnostics(log: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const line of log.split("\n")) {
    const m = LINE.exec(line);
    if (!m) continue;
    const severity = m[4] === "fatal error" ? "fatal" : (m[4] as Diagnostic["severity"]);
    out.push({
      file: m[1] === "/virtual/main.c" ? "main.c" : m[1],
      line: Number(m[2]),
      column: Number(m[3]),
      severity,
      message: m[5],
    });
  }
  return out;
}
