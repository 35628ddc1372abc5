/**
 * Shift-Tab inside a call's parentheses (`histogram(` or `histogram({ `):
 * the signature, and the fields of the options object the cursor's argument
 * takes, each with its type and doc comment, which a bare quick info of the
 * method name (`options?: HistogramOptions`) leaves to guesswork.
 */
import type TS from "typescript";
import { ts } from "./typescript.js";

export interface CallHelp {
  signature: string;
  documentation: string;
}

/** The innermost call whose parentheses hold the position, and which argument the position is in. */
function callAt(file: TS.SourceFile, position: number): { call: TS.CallExpression | TS.NewExpression; index: number } | undefined {
  let found: { call: TS.CallExpression | TS.NewExpression; index: number } | undefined;
  const visit = (node: TS.Node): void => {
    if (position < node.getStart(file) || position > node.getEnd()) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
      const open = node.arguments.pos;
      const close = node.arguments.end;
      if (position >= open && position <= close) {
        const index = node.arguments.findIndex((a) => position <= a.getEnd());
        found = { call: node, index: index < 0 ? Math.max(0, node.arguments.length - (node.arguments.hasTrailingComma ? 0 : 1)) : index };
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function docOf(symbol: TS.Symbol, checker: TS.TypeChecker): string {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, " ").trim();
}

export function callHelp(program: TS.Program, fileName: string, position: number): CallHelp | undefined {
  const file = program.getSourceFile(fileName);
  if (!file) return undefined;
  // Only where an argument starts (after "(", "{" or ","): on a word, the word's own quick info is the answer.
  const before = file.text.slice(0, position).trimEnd();
  if (!/[({,]$/.test(before)) return undefined;
  const at = callAt(file, position);
  if (!at) return undefined;
  const checker = program.getTypeChecker();
  const signature = checker.getResolvedSignature(at.call);
  if (!signature?.declaration) return undefined;
  const param = signature.parameters[Math.min(at.index, signature.parameters.length - 1)];
  if (!param) return undefined;
  const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(param, at.call));
  const props = type.isUnion() || type.getCallSignatures().length ? [] : checker.getPropertiesOfType(type);
  const head = checker.signatureToString(signature, at.call, ts.TypeFormatFlags.NoTruncation);
  const name = ts.isPropertyAccessExpression(at.call.expression) ? at.call.expression.name.text : at.call.expression.getText(file);
  const lines: string[] = [];
  const paramDoc = docOf(param, checker);
  if (paramDoc) lines.push(`${param.name}: ${paramDoc}`);
  if (props.length && (type.flags & ts.TypeFlags.Object) !== 0) {
    lines.push(`${param.name}: ${checker.typeToString(type)}`);
    for (const p of props) {
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0 ? "?" : "";
      const full = checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at.call), undefined, ts.TypeFormatFlags.NoTruncation);
      const text = optional ? full.replace(/ \| undefined$/, "") : full;
      const doc = docOf(p, checker);
      lines.push(`  ${p.name}${optional}: ${text}${doc ? `  // ${doc}` : ""}`);
    }
  }
  const methodDoc = ts.displayPartsToString(signature.getDocumentationComment(checker)).trim();
  return {
    signature: `${name}${head}`,
    documentation: [methodDoc, lines.join("\n")].filter(Boolean).join("\n\n"),
  };
}
