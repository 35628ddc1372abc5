/**
 * Rewrites a chunk's top-level declarations so they persist in the session's
 * vm context and may be declared again by a later cell: `let`/`const`/`var`
 * and `class` become assignments to globals, imports become awaited dynamic
 * imports, `export` disappears, and function declarations move to the front
 * (they are hoisted within the chunk, as JavaScript would). The last
 * expression statement is wrapped in a call that records the cell's result.
 *
 * Runs as a `before` transformer so that TypeScript's own transform then strips
 * the types, and the source map still points at the user's text.
 */
import type TS from "typescript";
import { ts } from "./typescript.js";
import { HOOK } from "./hook.js";

export interface RewriteInfo {
  /** Names the chunk binds at top level. */
  names: Set<string>;
}

export function rewriteDeclarations(info: RewriteInfo, wantResult: boolean): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (file) => {
    const f = context.factory;
    const hook = (member: string): TS.Expression => f.createPropertyAccessExpression(f.createIdentifier(HOOK), member);
    const bind = (name: TS.BindingName): void => {
      if (ts.isIdentifier(name)) info.names.add(name.text);
      else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
    };
    const assign = (target: TS.Expression, value: TS.Expression, at: TS.Node): TS.Statement =>
      ts.setTextRange(
        f.createExpressionStatement(
          ts.isObjectLiteralExpression(target)
            ? f.createParenthesizedExpression(f.createAssignment(target, value))
            : f.createAssignment(target, value),
        ),
        at,
      );

    const hoisted: TS.Statement[] = [];
    const rest: TS.Statement[] = [];
    const last = lastResultStatement(file);
    for (const stmt of file.statements) {
      if (wantResult && stmt === last) {
        const expr = (stmt as TS.ExpressionStatement).expression;
        rest.push(
          ts.setTextRange(f.createExpressionStatement(f.createCallExpression(hook("result"), undefined, [expr])), stmt),
        );
        continue;
      }
      if (ts.isFunctionDeclaration(stmt)) {
        if (stmt.name) info.names.add(stmt.name.text);
        hoisted.push(stripExport(f, stmt));
        continue;
      }
      rest.push(...rewriteStatement(stmt));
    }
    // `import(x)` anywhere: vm scripts have no module loader of their own.
    const visit = (node: TS.Node): TS.Node => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const args = node.arguments.map((a) => ts.visitNode(a, visit) as TS.Expression);
        return ts.setTextRange(f.createCallExpression(hook("import"), undefined, args.slice(0, 1)), node);
      }
      return ts.visitEachChild(node, visit, context);
    };
    const statements = [...hoisted, ...rest].map((s) => ts.visitNode(s, visit) as TS.Statement);
    return f.updateSourceFile(file, statements);

    function rewriteStatement(stmt: TS.Statement): TS.Statement[] {
      if (hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) return [stmt];
      if (ts.isVariableStatement(stmt)) {
        const isVar = !(stmt.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const));
        const out: TS.Statement[] = [];
        for (const decl of stmt.declarationList.declarations) {
          bind(decl.name);
          if (decl.initializer) out.push(assign(toAssignmentTarget(f, decl.name), decl.initializer, decl));
          else if (!isVar && ts.isIdentifier(decl.name)) out.push(assign(decl.name, f.createVoidZero(), decl));
        }
        return out;
      }
      if (ts.isClassDeclaration(stmt) && stmt.name) {
        info.names.add(stmt.name.text);
        const modifiers = stmt.modifiers?.filter((m) => !isExportModifier(m));
        const cls = ts.setTextRange(
          f.createClassExpression(modifiers, stmt.name, stmt.typeParameters, stmt.heritageClauses, stmt.members),
          stmt,
        );
        return [assign(stmt.name, cls, stmt)];
      }
      if (ts.isImportDeclaration(stmt)) return rewriteImport(stmt);
      if (ts.isImportEqualsDeclaration(stmt) && ts.isExternalModuleReference(stmt.moduleReference)) {
        if (stmt.isTypeOnly) return [];
        info.names.add(stmt.name.text);
        const call = f.createCallExpression(f.createIdentifier("require"), undefined, [stmt.moduleReference.expression]);
        return [assign(stmt.name, call, stmt)];
      }
      if (ts.isExportDeclaration(stmt)) return [];
      if (ts.isExportAssignment(stmt)) return [ts.setTextRange(f.createExpressionStatement(stmt.expression), stmt)];
      if (ts.isEnumDeclaration(stmt) || ts.isModuleDeclaration(stmt)) {
        if (ts.isIdentifier(stmt.name)) info.names.add(stmt.name.text);
        return [stripExport(f, stmt)];
      }
      return [stmt];
    }

    function rewriteImport(stmt: TS.ImportDeclaration): TS.Statement[] {
      const clause = stmt.importClause;
      if (clause?.isTypeOnly) return [];
      const load = f.createAwaitExpression(f.createCallExpression(hook("import"), undefined, [stmt.moduleSpecifier]));
      if (!clause) return [ts.setTextRange(f.createExpressionStatement(load), stmt)];
      const props: TS.ObjectLiteralElementLike[] = [];
      if (clause.name) {
        info.names.add(clause.name.text);
        props.push(f.createPropertyAssignment("default", clause.name));
      }
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        info.names.add(bindings.name.text);
        if (props.length === 0) return [assign(bindings.name, load, stmt)];
        // `import d, * as ns from "m"`: bind the namespace, then its default.
        return [assign(bindings.name, load, stmt), assign(clause.name!, f.createPropertyAccessExpression(bindings.name, "default"), stmt)];
      }
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) {
          if (el.isTypeOnly) continue;
          info.names.add(el.name.text);
          props.push(
            el.propertyName
              ? f.createPropertyAssignment(el.propertyName, el.name)
              : f.createShorthandPropertyAssignment(el.name),
          );
        }
      }
      if (props.length === 0) return [ts.setTextRange(f.createExpressionStatement(load), stmt)];
      return [assign(f.createObjectLiteralExpression(props), load, stmt)];
    }
  };
}

/** The statement whose value is the cell's result: a last expression statement that is not an assignment. */
export function lastResultStatement(file: TS.SourceFile): TS.ExpressionStatement | undefined {
  const last = file.statements.at(-1);
  if (!last || !ts.isExpressionStatement(last)) return undefined;
  let expr: TS.Expression = last.expression;
  while (ts.isParenthesizedExpression(expr)) expr = expr.expression;
  if (ts.isBinaryExpression(expr) && isAssignmentOperator(expr.operatorToken.kind)) return undefined;
  return last;
}

function isAssignmentOperator(kind: TS.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

function isExportModifier(m: TS.ModifierLike): boolean {
  return m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword;
}

function stripExport<T extends TS.FunctionDeclaration | TS.EnumDeclaration | TS.ModuleDeclaration>(f: TS.NodeFactory, node: T): T {
  if (!node.modifiers?.some(isExportModifier)) return node;
  const modifiers = node.modifiers.filter((m) => !isExportModifier(m));
  if (ts.isFunctionDeclaration(node)) {
    return f.updateFunctionDeclaration(node, modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, node.body) as T;
  }
  if (ts.isEnumDeclaration(node)) return f.updateEnumDeclaration(node, modifiers, node.name, node.members) as T;
  const mod = node as TS.ModuleDeclaration;
  return f.updateModuleDeclaration(mod, modifiers, mod.name, mod.body) as T;
}

/** `{ a, b: [c = 1], ...d }` as a binding becomes the same shape as an assignment target. */
function toAssignmentTarget(f: TS.NodeFactory, name: TS.BindingName): TS.Expression {
  if (ts.isIdentifier(name)) return name;
  if (ts.isObjectBindingPattern(name)) {
    return f.createObjectLiteralExpression(
      name.elements.map((el): TS.ObjectLiteralElementLike => {
        if (el.dotDotDotToken) return f.createSpreadAssignment(toAssignmentTarget(f, el.name));
        const target = toAssignmentTarget(f, el.name);
        const key = el.propertyName ?? (ts.isIdentifier(el.name) ? el.name : undefined);
        if (!el.propertyName && ts.isIdentifier(el.name)) {
          return f.createShorthandPropertyAssignment(el.name, el.initializer);
        }
        const value = el.initializer ? f.createAssignment(target, el.initializer) : target;
        return f.createPropertyAssignment(key as TS.PropertyName, value);
      }),
    );
  }
  return f.createArrayLiteralExpression(
    name.elements.map((el) => {
      if (ts.isOmittedExpression(el)) return el;
      const target = toAssignmentTarget(f, el.name);
      if (el.dotDotDotToken) return f.createSpreadElement(target);
      return el.initializer ? f.createAssignment(target, el.initializer) : target;
    }),
  );
}
