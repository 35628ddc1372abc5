/**
 * is_complete for a console front end: "incomplete" while brackets, strings,
 * templates or comments are open (with the indent for the next line),
 * "invalid" for a clear syntax error, "complete" otherwise.
 */
import type TS from "typescript";
import { ts } from "./typescript.js";
import type { IsCompleteOutcome } from "../engine.js";
import { splitCell } from "./splitter.js";

const OPENERS: Partial<Record<TS.SyntaxKind, TS.SyntaxKind>> = {
  [ts.SyntaxKind.OpenBraceToken]: ts.SyntaxKind.CloseBraceToken,
  [ts.SyntaxKind.OpenParenToken]: ts.SyntaxKind.CloseParenToken,
  [ts.SyntaxKind.OpenBracketToken]: ts.SyntaxKind.CloseBracketToken,
};

type Scan = { open: "none" | "brackets" | "literal"; depth: number; mismatched: boolean };

function scan(text: string): Scan {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const stack: TS.SyntaxKind[] = [];
  let mismatched = false;
  let literal = false;
  scanner.setOnError(() => {
    // Unterminated string, template or comment at the end of the text.
    if (scanner.getTokenEnd() >= text.length) literal = true;
  });
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const closer = OPENERS[kind];
    if (closer) stack.push(closer);
    else if (kind === ts.SyntaxKind.TemplateHead) stack.push(ts.SyntaxKind.TemplateTail);
    else if (kind === ts.SyntaxKind.CloseBraceToken && stack.at(-1) === ts.SyntaxKind.TemplateTail) {
      const next = scanner.reScanTemplateToken(false);
      if (next === ts.SyntaxKind.TemplateTail) stack.pop();
      if (scanner.getTokenEnd() >= text.length && next !== ts.SyntaxKind.TemplateTail) literal = true;
    } else if (kind === ts.SyntaxKind.CloseBraceToken || kind === ts.SyntaxKind.CloseParenToken || kind === ts.SyntaxKind.CloseBracketToken) {
      if (stack.pop() !== kind) mismatched = true;
    }
  }
  if (literal) return { open: "literal", depth: stack.length, mismatched };
  return { open: stack.length > 0 ? "brackets" : "none", depth: stack.length, mismatched };
}

export function isComplete(code: string): IsCompleteOutcome {
  if (code.trim() === "") return { status: "complete" };
  const pieces = splitCell(code);
  const last = pieces.at(-1);
  // A cell magic's body is its own language: a console sends it when the user ends it with an empty line.
  if (last?.kind === "cell") return /\n[ \t]*$/.test(code) ? { status: "complete" } : { status: "incomplete", indent: "" };
  const tsText = pieces.filter((p) => p.kind === "ts").map((p) => (p as { view: string }).view);
  for (const view of tsText) {
    const s = scan(view);
    if (s.mismatched) return { status: "invalid" };
    if (s.open === "literal") return { status: "incomplete", indent: "" };
    if (s.open === "brackets") return { status: "incomplete", indent: "  ".repeat(s.depth) };
    const out = ts.transpileModule(view, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
    if (out.diagnostics?.some((d) => d.category === ts.DiagnosticCategory.Error)) {
      // A line ending in an operator or a comma waits for its continuation.
      if (/[-+*/%=&|^<>?:,.]\s*$/.test(view.trimEnd()) || /\b(await|return|new|typeof|yield)\s*$/.test(view)) {
        return { status: "incomplete", indent: "" };
      }
      return { status: "invalid" };
    }
  }
  return { status: "complete" };
}
