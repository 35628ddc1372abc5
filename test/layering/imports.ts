/**
 * Our TypeScript files' imports, read with the TypeScript compiler: static
 * imports and re-exports (type-only ones too: a circle of types is still a
 * circle a reader must untangle) and dynamic imports of a literal path.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");

/** Every .ts file under the given top-level folders, as paths relative to the repository. */
export function sourceFiles(folders: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(path);
    }
  };
  for (const f of folders) walk(f);
  return out.sort();
}

/** The files of ours that `file` imports, relative to the repository. */
export function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specifiers.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const out = new Set<string>();
  for (const s of specifiers) {
    if (!s.startsWith(".")) continue;
    const target = relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, ".ts");
    if (existsSync(join(ROOT, target))) out.add(target);
    else if (existsSync(join(ROOT, target, "index.ts"))) out.add(join(target, "index.ts"));
  }
  return [...out];
}

/** Every circle in the graph, each once, as the files around it. */
export function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, "open");
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === "open") {
        const circle = stack.slice(stack.indexOf(m));
        const key = [...circle].sort().join(" ");
        if (!seen.has(key)) {
          seen.add(key);
          found.push([...circle, m]);
        }
      } else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}
