/** A syntax error in a cell's TypeScript, at the cell's own line and column. */
export class ChunkSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based cell line and UTF-16 column. */
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "SyntaxError";
  }
}
