/**
 * Makes a live Program from a block spec and its C text: expand BTF forms,
 * compile, load each function to attach as its hook's program type, attach.
 * All or nothing: when any step fails, everything this call made is closed
 * and the error is a CellError worded for the notebook.
 */
import type { Attachment, Module, Program as NativeProgram, LoadOptions } from "../native/types.js";
import { BpfError, CompileError, VerifierError } from "../native/types.js";
import { compileCodec, type Codec } from "../native/codec.js";
import { eventCodec } from "../native/codec-event.js";
import { CellError } from "../kernel/plugin.js";
import { progKind, describeAttach, type AttachOrigin, type AttachSpec, type BlockSpec } from "./spec/types.js";
import { compiledSpec } from "./spec/block.js";
import { compileFailure, type SourceMap } from "./diagnostics/compile.js";
import { verifierFailure } from "./diagnostics/verifier.js";
import { formatPaddingWarning, paddingWarnings } from "./diagnostics/padding.js";
import { currentIO } from "./session.js";
import { kernelHasKprobes, missingHookError, tracepointExists, unknownTracepointError } from "./diagnostics/hooks.js";
import { ansi } from "./diagnostics/ansi.js";
import { kernelBtf } from "./btf/parse.js";
import { BtfRewriteError, expandBtf, usesBtf } from "./btf/rewrite.js";
import { EVENT_TYPE_MAP_PREFIX, eventTypeProbes, findEventMaps, type EventMapDecl } from "./event-types.js";
import { lineOf } from "./spec/source.js";
import { nativeApi, type NativeApi } from "./native-api.js";
import { Program, type AttachedHook } from "./program.js";
import { attachError, attachOneHook, errorLines } from "./attach-hook.js";
import { attachUsdt, openBlockUsdt, withArgumentReaders, readargProblem } from "./usdt/attach.js";
import type { UsdtProbes } from "../native/usdt.js";

/** Whether a load/attach error means "this kernel cannot do that hook". */
function isMissingFeature(a: AttachSpec, e: unknown): boolean {
  if (a.hook === "kprobe") return !kernelHasKprobes() || (e instanceof BpfError && ["ENOENT", "EOPNOTSUPP", "ENOTSUP", "ENOSYS"].includes(e.code) && !kernelHasKprobes());
  // A verifier rejection is a BpfError too.
  if (a.hook === "kfunc" || a.hook === "lsm") return e instanceof BpfError;
  return false;
}

function attachOne(p: NativeProgram, a: AttachSpec, usdt?: UsdtProbes): Attachment[] {
  if (a.hook === "usdt") return attachUsdt(usdt, p, a);
  return [attachOneHook(p, a)];
}

function loadOptions(a: AttachSpec): LoadOptions | undefined {
  if (a.hook === "kfunc") return { expectedAttachType: a.ret ? "trace_fexit" : "trace_fentry", attachBtfName: a.target };
  if (a.hook === "lsm") return { expectedAttachType: "lsm_mac", attachBtfName: a.target };
  return undefined;
}

/**
 * libbcc inserts a struct for each tracepoint function's args just before the
 * function, which pushes every later line down in clang's diagnostics. A
 * `#line` right after each such function's opening brace restores the
 * numbering from there on (the brace's own line keeps its number too).
 * The function's first line itself stays shifted; the verifier's notes name
 * it through the function's known line instead. `braces` are the offsets in
 * `text` of the tracepoint functions' opening braces.
 */
export function keepLineNumbers(text: string, braces: readonly number[]): string {
  let out = text;
  for (const b of [...braces].sort((x, y) => y - x)) {
    const line = lineOf(out, b);
    out = out.slice(0, b + 1) + `\n#line ${line}\n` + out.slice(b + 1);
  }
  // libbcc adds lines of its own before and between the user's when it
  // rewrites the text; a #line before every line keeps the verifier's notes
  // counting the user's lines. Not inside a macro continued with '\'.
  const lines = out.split("\n");
  let n = 0;
  return lines
    .map((l, i) => {
      const directive = /^#line (\d+)$/.exec(l);
      if (directive) n = Number(directive[1]) - 1;
      else n++;
      const continued = i > 0 && lines[i - 1].endsWith("\\");
      const numbered = i > 0 && /^#line \d+$/.test(lines[i - 1]);
      return directive || continued || numbered ? l : `#line ${n}\n${l}`;
    })
    .join("\n");
}

/** The text libbcc compiles, how its lines map back to the cell, and the event maps it declares. */
export function prepareText(spec: BlockSpec): { text: string; map: SourceMap; probes: string; events: EventMapDecl[] } {
  let text = spec.body;
  const map: SourceMap = { headerLine: spec.headerLine, preludeLines: 0, body: spec.body };
  let braces = spec.functions.filter((f) => f.attach.hook === "tracepoint").map((f) => f.brace);
  if (usesBtf(text, spec.code)) {
    try {
      const expanded = expandBtf(text, spec.code, () => kernelBtf());
      text = expanded.text;
      braces = braces.map(expanded.moved);
    } catch (e) {
      if (e instanceof BtfRewriteError) {
        const line = spec.headerLine + e.line;
        const srcLine = spec.body.split("\n")[e.line - 1] ?? "";
        throw new CellError("BtfError", `cell line ${line}: ${e.message}`, [
          ansi.bold(`cell line ${line}, col ${e.column}`) + `: ${ansi.boldRed("error:")} ${e.message}`,
          `    ${srcLine}`,
          `    ${" ".repeat(Math.max(0, e.column - 1))}${ansi.green("^")}`,
        ]);
      }
      throw e;
    }
  }
  text = keepLineNumbers(text, braces);
  const events = findEventMaps(spec.body, spec.code);
  // Appended (by the caller), so every line of the user's text keeps its number.
  return { text, map, probes: eventTypeProbes(events), events };
}

/**
 * Compiles with the event type probes appended; if they are what fails (a
 * type that is not visible at file scope, say), compiles without them.
 */
async function compileWithProbes(native: NativeApi, text: string, probes: string, cflags: string[], bodyLines: number): Promise<Module> {
  if (!probes) return native.compile(text, { cflags });
  try {
    return await native.compile(text + probes, { cflags });
  } catch (e) {
    const inProbes = (d: { file: string; line: number; severity: string }) =>
      /(^|\/)main\.c$/.test(d.file) && d.line > bodyLines && (d.severity === "error" || d.severity === "fatal");
    if (e instanceof CompileError && e.diagnostics.some(inProbes)) return native.compile(text, { cflags });
    throw e;
  }
}

function refuseMissingHooks(spec: BlockSpec, origin: AttachOrigin): void {
  for (const a of spec.noAttach ? [] : spec.attach) {
    if (a.origin !== origin) continue;
    if (a.hook === "kprobe" && !kernelHasKprobes()) throw missingHookError(a);
    if (a.hook === "tracepoint" && !tracepointExists(a.category, a.event)) throw unknownTracepointError(a.fn, a.category, a.event);
  }
}

export async function loadProgram(spec: BlockSpec, api?: NativeApi): Promise<Program> {
  const native = api ?? (await nativeApi());
  const { text, map, probes, events } = prepareText(spec);

  // Refuse hooks this kernel lacks before compiling when an option names them:
  // the message is the same and quicker. Conventions wait for the compiler.
  refuseMissingHooks(spec, "option");

  const readarg = readargProblem(spec);
  if (readarg) throw readarg;
  const usdt = await openBlockUsdt(spec, native);
  let module: Module;
  try {
    module = await compileWithProbes(native, withArgumentReaders(usdt, text), probes, spec.cflags, spec.body.split("\n").length);
  } catch (e) {
    usdt?.close();
    if (e instanceof CompileError) throw compileFailure(e.diagnostics, map, e.log);
    throw e;
  }

  const functions = new Map<string, NativeProgram>();
  const attached: AttachedHook[] = [];
  try {
    spec = compiledSpec(spec, module.functions);
    refuseMissingHooks(spec, "convention");
    const missing = spec.attach.filter((a) => !module.functions.includes(a.fn));
    if (missing.length) {
      const m = missing[0];
      throw new CellError(
        "NoSuchFunction",
        `${describeAttach(m)} names ${m.fn}(), which the compiled block does not have` +
          (new RegExp(`\\b${m.fn}\\s*\\(`).test(spec.code) ? " (the preprocessor left it out: an #if or #ifdef around it?)" : "") +
          `; its functions are ${module.functions.join(", ") || "(none)"}`,
      );
    }
    for (const a of spec.attach) {
      if (functions.has(a.fn)) continue;
      try {
        functions.set(a.fn, await module.load(a.fn, progKind(a), loadOptions(a)));
      } catch (e) {
        if (isMissingFeature(a, e)) throw missingHookError(a, errorLines(e));
        if (e instanceof VerifierError) {
          const fn = e.functionName || a.fn;
          const functionLine = spec.functions.find((c) => c.attach.fn === fn)?.line;
          throw verifierFailure(fn, e.log, { body: spec.body, headerLine: spec.headerLine, functionLine });
        }
        throw new CellError("LoadError", `cannot load ${a.fn}() as a ${progKind(a)} program: ${errorLines(e)}`);
      }
    }
    if (!spec.noAttach) {
      for (const a of spec.attach) {
        const p = functions.get(a.fn)!;
        try {
          const origin = (a as { origin?: "option" | "convention" }).origin ?? "option";
          for (const attachment of attachOne(p, a, usdt)) attached.push({ fn: a.fn, spec: a, origin, attachment });
        } catch (e) {
          if (isMissingFeature(a, e)) throw missingHookError(a, errorLines(e));
          throw attachError(a, e);
        }
      }
    }
    const eventCodecs = new Map<string, Codec<unknown>>();
    for (const name of module.mapNames) {
      if (!name.startsWith(EVENT_TYPE_MAP_PREFIX)) continue;
      const m = module.map(name);
      if (m.valueDesc !== undefined) {
        try {
          eventCodecs.set(name.slice(EVENT_TYPE_MAP_PREFIX.length), compileCodec(m.valueDesc, m.valueSize));
        } catch {
          // an event type ibcc cannot decode: events() says so when asked
        }
      }
    }
    // Where the C text did not name the type, what libbcc saw passed to perf_submit/ringbuf_output.
    for (const name of module.mapNames) {
      if (eventCodecs.has(name) || name.startsWith(EVENT_TYPE_MAP_PREFIX)) continue;
      const type = module.map(name).type;
      if (type !== "perf_event_array" && type !== "ringbuf") continue;
      try {
        const c = eventCodec(module, name);
        if (c) eventCodecs.set(name, c as Codec<unknown>);
      } catch {
        // events() explains when asked
      }
    }
    // Advice, not failure: the program is loaded and attached as written.
    try {
      const io = currentIO();
      for (const w of paddingWarnings(module, spec.code, events)) io?.stream("stderr", formatPaddingWarning(w, map));
    } catch {
      // a check that cannot read the types says nothing
    }
    return new Program(spec.name, spec, module, functions, attached, eventCodecs, native, usdt ? [usdt] : []);
  } catch (e) {
    for (const a of attached) {
      try {
        a.attachment.close();
      } catch {
        // the module's close below frees it anyway
      }
    }
    module.close();
    usdt?.close();
    throw e;
  }
}
