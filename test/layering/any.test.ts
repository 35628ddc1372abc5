/**
 * No `any` in our sources but in native/binding.ts, where the addon's untyped
 * exports get their types: an `any` keyword anywhere else (an annotation,
 * `as any`, `any[]`, a type argument) is a hole in the checking, and a call
 * the addon does not declare cannot type-check, since native/addon.ts hands
 * the addon out as `unknown`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT, sourceFiles } from "./imports.js";

const ALLOWED = new Set(["native/binding.ts"]);

/** Each `any` keyword of a file, as "file:line: the line". */
function anys(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  if (!/\bany\b/.test(text)) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      out.push(`${file}:${line + 1}: ${text.split("\n")[line].trim()}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe("no any", () => {
  it("finds an any where there is one", () => {
    const probe = ts.createSourceFile("x.ts", "let a: any; const b = c as any; type D = Array<any>;", ts.ScriptTarget.Latest, true);
    let n = 0;
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.AnyKeyword) n++;
      ts.forEachChild(node, visit);
    };
    visit(probe);
    expect(n).toBe(3);
  });

  it("has none in kernel/, magics/, native/ and bench/ outside native/binding.ts", () => {
    const found = sourceFiles(["kernel", "magics", "native", "bench"])
      .filter((f) => !ALLOWED.has(f))
      .flatMap(anys);
    expect(found).toEqual([]);
  });

  it("the addon leaves native/addon.ts untyped, for native/binding.ts to declare", () => {
    expect(readFileSync(join(ROOT, "native/addon.ts"), "utf8")).toMatch(/export const addon: unknown\b/);
  });
});
