/**
 * Cells that need no compiler: while TypeScript is still loading (200-300 ms
 * of the main thread after a kernel starts), a cell made of plain
 * expressions (`1 + 1`, `Math.max(3, 4)`, `console.log("hi")`) runs as it is,
 * and its script's completion value is its result.
 *
 * Only text that means the same to TypeScript's transform and to V8 passes:
 * expression statements with no assignment, no declaration, no statement
 * keyword, no `await`, no magic, nothing TypeScript reads as a type (`<`, `>`,
 * `:`, a postfix `!`, `as`), no braces or templates, and no name the session
 * does not already hold (a plugin's globals arrive with the plugin; such a
 * cell waits for it). Anything else, and anything V8 will not compile, goes
 * through the compiler as usual. The test beside this runs every accepted
 * cell both ways and compares.
 */

/** Words that may stand as names: literals and the operators spelled as words. */
const WORD_OPERATORS = new Set(["true", "false", "null", "typeof", "void", "new", "in", "instanceof"]);

/**
 * Never a plain name, even if the session held one so called: JavaScript's
 * reserved and contextual words and TypeScript's.
 */
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends finally for function if " +
    "import let return super switch this throw try var while with yield await async of get set static implements interface " +
    "package private protected public as satisfies is keyof infer type declare namespace module abstract readonly " +
    "unique asserts override accessor using out arguments eval"
  ).split(" "),
);

/** The only operator runs with `=` or `!` in them: comparisons. */
const COMPARISONS = new Set(["==", "===", "!=", "!=="]);
const OPERATOR = /[=!+\-*/%&|^?~]/;
const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const NUMBER_PART = /[A-Za-z0-9_.]/;

/**
 * Whether `code` qualifies, given the names the session's global object holds.
 * Pure text work (no parser): it rejects whenever in doubt.
 */
export function isPlainCell(code: string, has: (name: string) => boolean): boolean {
  let i = 0;
  let sawToken = false;
  // What came last: "v" a value (a `/` after it divides; anywhere else it
  // starts a regular expression), "o" an operator, "." a member access (the
  // name after it is a property), ";" a statement's end.
  let prev = "";
  while (i < code.length) {
    const c = code[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "/" && code[i + 1] === "/") {
      while (i < code.length && code[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      if (end < 0) return false;
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < code.length && code[i] !== c) {
        if (code[i] === "\n" || code[i] === "\r") return false;
        i += code[i] === "\\" ? 2 : 1;
      }
      if (i >= code.length) return false;
      i++;
      prev = "v";
      sawToken = true;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(code[i + 1] ?? ""))) {
      while (i < code.length && NUMBER_PART.test(code[i])) i++;
      prev = "v";
      sawToken = true;
      continue;
    }
    if (IDENT_START.test(c)) {
      const start = i;
      while (i < code.length && IDENT_PART.test(code[i])) i++;
      const word = code.slice(start, i);
      if (RESERVED.has(word)) return false;
      if (prev !== "." && !WORD_OPERATORS.has(word) && !has(word)) return false;
      // `typeof x`, `new X`: after a word operator a `/` would start a regular expression.
      prev = WORD_OPERATORS.has(word) && word !== "true" && word !== "false" && word !== "null" ? "o" : "v";
      sawToken = true;
      continue;
    }
    if (c === ".") {
      if (code.startsWith("...", i)) {
        i += 3;
        prev = "o";
        } else {
        i++;
        prev = ".";
      }
      continue;
    }
    if (c === "(" || c === "[" || c === ",") {
      i++;
      prev = "o";
      continue;
    }
    if (c === ")" || c === "]") {
      i++;
      prev = "v";
      continue;
    }
    if (c === ";") {
      // An empty statement last would end the cell with no value for TypeScript's transform and with one for V8.
      if (prev === ";" || prev === "") return false;
      i++;
      prev = ";";
      continue;
    }
    if (c === "/" && prev !== "v") return false;
    if (OPERATOR.test(c)) {
      const start = i;
      while (i < code.length && OPERATOR.test(code[i]) && !(code[i] === "/" && (code[i + 1] === "/" || code[i + 1] === "*"))) i++;
      const run = code.slice(start, i);
      if ((run.includes("=") || run.includes("!")) && !COMPARISONS.has(run)) return false;
      // `?.` continues a member access: the name after it is a property.
      if (run.endsWith("?") && code[i] === "." && !/[0-9]/.test(code[i + 1] ?? "")) {
        i++;
        prev = ".";
        continue;
      }
      prev = "o";
      continue;
    }
    // Braces, templates, `:`, `<`, `>`, `@`, `#`, `\`, anything not ASCII.
    return false;
  }
  return sawToken;
}
