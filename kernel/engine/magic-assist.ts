/**
 * Completion and inspection where the cursor is not in TypeScript: magic
 * names after `%` / `%%`, a magic's help, and a cell magic's own body
 * (delegated to the magic's complete/inspect).
 */
import type { InspectOutcome } from "../engine.js";
import { TYPESCRIPT_BODY_MAGICS } from "../builtin-magics/index.js";
import { codePointsToUtf16, utf16ToCodePoints } from "./code-points.js";
import type { Completion } from "./language.js";
import type { MagicRegistry } from "./registry.js";
import { spelling } from "./registry.js";
import { splitCell, type CellMagicPiece, type LineMagicPiece } from "./splitter.js";

function lineAt(code: string, offset: number): { start: number; text: string } {
  const start = code.lastIndexOf("\n", offset - 1) + 1;
  const endNl = code.indexOf("\n", offset);
  return { start, text: code.slice(start, endNl < 0 ? code.length : endNl) };
}

function pieceAt(code: string, offset: number): CellMagicPiece | LineMagicPiece | undefined {
  const line = code.slice(0, offset).split("\n").length;
  for (const p of splitCell(code)) {
    if (p.kind === "line" && p.line === line) return p;
    if (p.kind === "cell") {
      const bodyLines = p.body.split("\n").length;
      if (line >= p.headerLine && line <= p.headerLine + bodyLines) return p;
    }
  }
  return undefined;
}

export async function completeMagic(registry: MagicRegistry, code: string, offset: number): Promise<Completion | undefined> {
  const line = lineAt(code, offset);
  const before = code.slice(line.start, offset);
  const m = /^(%%?)([\w-]*)$/.exec(before);
  if (m) {
    const kind = m[1] === "%%" ? "cell" : "line";
    const names = registry
      .all()
      .filter((x) => x.kind === kind && x.name.startsWith(m[2]))
      .map(spelling);
    return { matches: names, start: line.start, end: offset, kinds: names.map(() => "magic") };
  }
  const piece = pieceAt(code, offset);
  if (!piece) return undefined;
  if (piece.kind === "line") return { matches: [], start: offset, end: offset, kinds: [] };
  if (!registry.has("cell", piece.name)) return { matches: [], start: offset, end: offset, kinds: [] };
  const magic = registry.cell(piece.name);
  // a header line without a body below has its body offset at the cell's end
  const onHeader = offset < piece.bodyOffset || code.slice(0, offset).split("\n").length === piece.headerLine;
  if (onHeader) {
    const argsStart = line.start + 2 + piece.name.length;
    if (!magic.completeHeader || offset < argsStart) return { matches: [], start: offset, end: offset, kinds: [] };
    const args = code.slice(argsStart, line.start + line.text.length);
    const r = await magic.completeHeader(args, utf16ToCodePoints(args, offset - argsStart));
    return {
      matches: r.matches,
      start: argsStart + codePointsToUtf16(args, r.cursorStart),
      end: argsStart + codePointsToUtf16(args, r.cursorEnd),
      kinds: r.matches.map(() => ""),
    };
  }
  if (!magic.complete) return TYPESCRIPT_BODY_MAGICS.has(piece.name) ? undefined : { matches: [], start: offset, end: offset, kinds: [] };
  const inBody = utf16ToCodePoints(piece.body, offset - piece.bodyOffset);
  const r = await magic.complete(piece.body, inBody);
  return {
    matches: r.matches,
    start: piece.bodyOffset + codePointsToUtf16(piece.body, r.cursorStart),
    end: piece.bodyOffset + codePointsToUtf16(piece.body, r.cursorEnd),
    kinds: r.matches.map(() => ""),
  };
}

export async function inspectMagic(
  registry: MagicRegistry,
  code: string,
  offset: number,
  detailLevel: number,
): Promise<InspectOutcome | undefined> {
  const line = lineAt(code, offset);
  const head = /^(%%?)([\w-]+)/.exec(line.text);
  if (head && offset - line.start <= head[0].length) {
    const kind = head[1] === "%%" ? "cell" : "line";
    if (!registry.has(kind, head[2])) return { found: false, data: {} };
    const magic = kind === "cell" ? registry.cell(head[2]) : registry.line(head[2]);
    const text = `${spelling(magic)}: ${magic.help}`;
    return { found: true, data: { "text/plain": text, "text/markdown": `\`${spelling(magic)}\` ${magic.help}` } };
  }
  const piece = pieceAt(code, offset);
  if (!piece) return undefined;
  if (piece.kind === "line") return { found: false, data: {} };
  if (!registry.has("cell", piece.name) || offset < piece.bodyOffset) return { found: false, data: {} };
  const magic = registry.cell(piece.name);
  if (!magic.inspect) return TYPESCRIPT_BODY_MAGICS.has(piece.name) ? undefined : { found: false, data: {} };
  return magic.inspect(piece.body, utf16ToCodePoints(piece.body, offset - piece.bodyOffset), detailLevel);
}
