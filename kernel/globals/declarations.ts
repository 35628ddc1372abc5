/** Types and docs of the kernel's globals, for completion, inspection and type checks. */
export const GLOBALS_DECLARATIONS = `
/** A display output that can be replaced in place. */
interface DisplayHandle {
  /** The output's display_id. */
  readonly displayId: string;
  /** Replaces the output with \`value\` (update_display_data). */
  update(value: unknown): Promise<void>;
}

/** A value that renders itself: a method under Symbol.for("Jupyter.display") returns its mime bundle. */
interface Displayable {
  [key: symbol]: unknown;
}

/**
 * Shows \`value\` as an output of this cell: its Symbol.for("Jupyter.display") bundle,
 * or text. Returns a handle at once; \`handle.update(next)\` replaces that output in place.
 * @param options.displayId reuse an existing display id
 */
declare function display(value: unknown, options?: { displayId?: string }): DisplayHandle;

/**
 * Clears this cell's output.
 * @param wait true: clear only when the next output arrives (no flicker)
 */
declare function clearOutput(wait?: boolean): void;

/** Waits \`ms\` milliseconds; rejects with an Interrupted error when the cell is interrupted. */
declare function sleep(ms: number): Promise<void>;

/** Asks the front end for a line of input. */
declare function input(prompt?: string, password?: boolean): Promise<string>;

/** HTML output: html\`<b>\${x}</b>\` or html(string). */
declare function html(parts: TemplateStringsArray | string, ...values: unknown[]): Displayable;

/** Markdown output: md\`# Title\` or md(string). */
declare function md(parts: TemplateStringsArray | string, ...values: unknown[]): Displayable;

/** SVG output: svg\`<svg ...>...</svg>\` or svg(string). */
declare function svg(parts: TemplateStringsArray | string, ...values: unknown[]): Displayable;

/** A Vega-Lite v5 chart from a spec (\`$schema\` is added); shown with server-rendered SVG and PNG. */
declare function vegalite(spec: Record<string, unknown>): Displayable;
`;
