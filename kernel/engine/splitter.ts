/**
 * Splits a cell into the pieces that run in order: TypeScript chunks, line
 * magics and cell-magic blocks. Pure text work: no magic is looked up here.
 *
 * Every TypeScript chunk is given as a "view" of the whole cell with all other
 * lines blanked to spaces, so that offsets, lines and columns inside a chunk are
 * the cell's own and no line mapping is needed afterwards.
 */
import { ts } from "./typescript.js";
import { blank, linesOf, type Line } from "./cell-lines.js";

export { blank, linesOf };

export interface TsPiece {
  kind: "ts";
  /** The whole cell with every line outside this chunk blanked (same UTF-16 offsets). */
  view: string;
  /** 1-based cell lines of the chunk, inclusive. */
  firstLine: number;
  lastLine: number;
}

export interface LineMagicPiece {
  kind: "line";
  name: string;
  args: string;
  line: number;
  /** 0-based UTF-16 column where args start on that line. */
  argsColumn: number;
}

export interface CellMagicPiece {
  kind: "cell";
  name: string;
  args: string;
  body: string;
  /** 1-based line of the `%%name` header. */
  headerLine: number;
  /** UTF-16 offset of the body's first character in the cell. */
  bodyOffset: number;
}

export type Piece = TsPiece | LineMagicPiece | CellMagicPiece;

/** A `%%` block or the leading TypeScript block, before line magics are found. */
export interface Block {
  /** undefined for TypeScript (no header, or `%%ts`). */
  magic?: { name: string; args: string };
  headerLine?: number;
  /** 1-based first and last body lines (firstLine > lastLine when empty). */
  firstLine: number;
  lastLine: number;
  body: string;
  bodyOffset: number;
}

const HEADER = /^%%([A-Za-z_][\w-]*)?(.*)$/;
const LINE_MAGIC = /^%([A-Za-z_][\w-]*)(.*)$/;


/** Blocks of a cell; a TypeScript block is `%%ts` or no header. */
export function splitBlocks(code: string): Block[] {
  const lines = linesOf(code);
  const blocks: Block[] = [];
  let current: Block = { firstLine: 1, lastLine: 0, body: "", bodyOffset: 0 };
  const close = (lastLine: number): void => {
    current.lastLine = lastLine;
    const bodyLines = lines.slice(current.firstLine - 1, lastLine);
    current.body = bodyLines.map((l) => l.text).join("\n");
    blocks.push(current);
  };
  lines.forEach((line, i) => {
    const m = HEADER.exec(line.text);
    if (!m) return;
    const lineNo = i + 1;
    close(lineNo - 1);
    const name = m[1] ?? "";
    const bodyOffset = lines[i + 1]?.offset ?? code.length;
    current =
      name === "ts"
        ? { headerLine: lineNo, firstLine: lineNo + 1, lastLine: 0, body: "", bodyOffset }
        : { magic: { name, args: m[2].trim() }, headerLine: lineNo, firstLine: lineNo + 1, lastLine: 0, body: "", bodyOffset };
  });
  close(lines.length);
  // A cell that starts with a header has an empty leading TypeScript block: drop it.
  return blocks.filter((b, i) => !(i === 0 && !b.magic && b.headerLine === undefined && b.firstLine > b.lastLine));
}

/**
 * Line magics of a TypeScript block: lines starting with `%name` that are not
 * inside a template literal or a comment (a `%d` line of a multi-line template
 * is text, not a magic).
 */
function lineMagicLines(lines: Line[], first: number, last: number): Set<number> {
  const candidates = new Set<number>();
  for (let n = first; n <= last; n++) if (LINE_MAGIC.test(lines[n - 1].text)) candidates.add(n);
  if (candidates.size === 0) return candidates;
  const text = lines
    .slice(first - 1, last)
    .map((l, i) => (candidates.has(first + i) ? blank(l.text) : l.text))
    .join("\n");
  const base = lines[first - 1].offset;
  for (const [start, end] of multiLineTokens(text)) {
    for (const n of candidates) {
      const at = lines[n - 1].offset - base;
      if (at > start && at < end) candidates.delete(n);
    }
  }
  return candidates;
}

/** [start, end) ranges of templates, strings and comments in TypeScript text. */
export function multiLineTokens(text: string): Array<[number, number]> {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const ranges: Array<[number, number]> = [];
  const braces: Array<"template" | "brace"> = [];
  let kind = scanner.scan();
  while (kind !== ts.SyntaxKind.EndOfFileToken) {
    switch (kind) {
      case ts.SyntaxKind.TemplateHead:
        braces.push("template");
        ranges.push([scanner.getTokenStart(), scanner.getTokenEnd()]);
        break;
      case ts.SyntaxKind.OpenBraceToken:
        braces.push("brace");
        break;
      case ts.SyntaxKind.CloseBraceToken:
        if (braces.pop() === "template") {
          kind = scanner.reScanTemplateToken(false);
          ranges.push([scanner.getTokenStart(), scanner.getTokenEnd()]);
          if (kind === ts.SyntaxKind.TemplateMiddle) braces.push("template");
        }
        break;
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.MultiLineCommentTrivia:
      case ts.SyntaxKind.StringLiteral:
        ranges.push([scanner.getTokenStart(), scanner.getTokenEnd()]);
        break;
    }
    kind = scanner.scan();
  }
  return ranges;
}

/** The cell as pieces in running order. */
export function splitCell(code: string): Piece[] {
  const lines = linesOf(code);
  const pieces: Piece[] = [];
  for (const block of splitBlocks(code)) {
    if (block.magic) {
      pieces.push({
        kind: "cell",
        name: block.magic.name,
        args: block.magic.args,
        body: block.body,
        headerLine: block.headerLine!,
        bodyOffset: block.bodyOffset,
      });
      continue;
    }
    const magics = lineMagicLines(lines, block.firstLine, block.lastLine);
    let chunkStart = block.firstLine;
    const flush = (end: number): void => {
      if (end < chunkStart) return;
      const chunkLines = lines.slice(chunkStart - 1, end);
      if (chunkLines.every((l) => l.text.trim() === "")) return;
      pieces.push({ kind: "ts", view: viewOf(lines, chunkStart, end), firstLine: chunkStart, lastLine: end });
    };
    for (let n = block.firstLine; n <= block.lastLine; n++) {
      if (!magics.has(n)) continue;
      flush(n - 1);
      const m = LINE_MAGIC.exec(lines[n - 1].text)!;
      const argsStart = 1 + m[1].length;
      const rawArgs = m[2];
      const lead = rawArgs.length - rawArgs.trimStart().length;
      pieces.push({ kind: "line", name: m[1], args: rawArgs.trim(), line: n, argsColumn: argsStart + lead });
      chunkStart = n + 1;
    }
    flush(block.lastLine);
  }
  return pieces;
}

/**
 * The cell up to line `last` with every line before `first` blanked (lines
 * after `last` are left out, so an unclosed statement ends at the chunk's end).
 */
export function viewOf(lines: Line[], first: number, last: number): string {
  return lines
    .slice(0, last)
    .map((l, i) => (i + 1 >= first ? l.text : blank(l.text)))
    .join("\n");
}

/**
 * The cell's TypeScript as the language service sees it: every TypeScript
 * line kept, magic lines and other blocks blanked, plus the bodies of cell
 * magics whose body is TypeScript (%%time).
 */
export function typeScriptView(code: string, tsBodyMagics: ReadonlySet<string>): string {
  const lines = linesOf(code);
  const keep = new Set<number>();
  for (const piece of splitCell(code)) {
    if (piece.kind === "ts") for (let n = piece.firstLine; n <= piece.lastLine; n++) keep.add(n);
    if (piece.kind === "cell" && tsBodyMagics.has(piece.name)) {
      const bodyLines = piece.body.split("\n").length;
      for (let n = piece.headerLine + 1; n <= piece.headerLine + bodyLines; n++) keep.add(n);
    }
  }
  return lines.map((l, i) => (keep.has(i + 1) ? l.text : blank(l.text))).join("\n");
}
