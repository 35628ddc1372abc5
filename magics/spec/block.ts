/**
 * A `%%bpf` block's whole spec: its header's options plus the functions its
 * C text attaches by naming convention. Options win when both name the same
 * function (an explicit --tracepoint on a kprobe__x function, say).
 *
 * The C text is scanned here, once: comments and strings blanked, and each
 * conventional function found with its line and the offset of its body's
 * brace. Everything later (line numbering for the compiler, event types, BTF
 * forms, USDT reads, padding checks, verifier notes) reads the spec instead
 * of scanning the text again.
 *
 * The text scan sees every definition, also those the preprocessor drops
 * (`#ifdef LATENCY`, `#if 0`); what is attached by convention is decided after
 * compiling, from the functions the module really has (compiledSpec), as
 * BCC's Python front end does. The scan still gives each function's cell line
 * and the exact arguments of a probe macro.
 */
import { AttachSpec, BlockSpec } from "./types.js";
import { parseHeader, type HeaderSpec } from "./header.js";
import { attachForName, scanConventions } from "./conventions.js";
import { blankCommentsAndStrings } from "./source.js";

/** The spec of a `%%bpf ARGS` block whose body starts on the line after cell line `headerLine`. */
export function blockSpec(args: string, body: string, headerLine = 0): BlockSpec {
  return specOf(parseHeader(args), body, headerLine);
}

/** The spec of C text with the given options, however they were given (a header line, BPF.load's fields). */
export function specOf(header: HeaderSpec, body: string, headerLine = 0): BlockSpec {
  const code = blankCommentsAndStrings(body);
  const functions = scanConventions(body, code);
  const attach: BlockSpec["attach"] = header.attach.map((a) => ({ ...a, origin: "option" as const }));
  const explicit = new Set(header.attach.map((a) => a.fn));
  for (const { attach: a } of functions) {
    if (!explicit.has(a.fn)) attach.push({ ...a, origin: "convention" });
  }
  return { name: header.name, cflags: header.cflags, noAttach: header.noAttach, attach, body, headerLine, code, functions };
}

/**
 * The spec with its conventional attachments taken from the compiled
 * module's functions: a definition the preprocessor removed is not asked
 * for, and one a macro of the user's made is. Options stay as they are (a
 * missing function they name is the caller's NoSuchFunction).
 */
export function compiledSpec(spec: BlockSpec, functions: readonly string[]): BlockSpec {
  const options = spec.attach.filter((a) => a.origin === "option");
  const explicit = new Set(options.map((a) => a.fn));
  const compiled = new Set(functions);
  const scanned = spec.functions.map((c) => c.attach);
  const seen = new Set(scanned.map((a) => a.fn));
  // Source order first, as the text shows them; then what only the compiler saw.
  const found: AttachSpec[] = [
    ...scanned.filter((a) => compiled.has(a.fn)),
    ...functions.filter((fn) => !seen.has(fn)).flatMap((fn) => attachForName(fn) ?? []),
  ];
  const attach: BlockSpec["attach"] = [...options];
  for (const a of found) if (!explicit.has(a.fn)) attach.push({ ...a, origin: "convention" });
  return { ...spec, attach };
}
