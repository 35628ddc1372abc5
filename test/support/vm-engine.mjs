// A minimal Engine over node:vm for the protocol tests, so they exercise the
// protocol layer on its own: plain JavaScript cells, the last expression's value
// as result, display/print/sleep/input globals. Loaded by the CLI through
// IBCC_ENGINE_MODULE; it is a real engine, not a stand-in for a client.
import vm from "node:vm";
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const DISPLAY = Symbol.for("Jupyter.display");

async function render(value) {
  const own = value?.[DISPLAY];
  if (typeof own === "function") return { data: await own.call(value), metadata: {} };
  return { data: { "text/plain": typeof value === "string" ? value : inspect(value) }, metadata: {} };
}

function report(err) {
  // Errors from the vm context belong to another realm: duck-type them.
  const e = typeof err === "object" && err !== null ? err : { message: String(err) };
  return { status: "error", ename: e.name || "Error", evalue: String(e.message), traceback: String(e.stack ?? e.message).split("\n") };
}

export function createEngine() {
  let io;
  const shutdownFile = process.env.IBCC_TEST_SHUTDOWN_FILE;
  const context = vm.createContext({
    console: { log: (...a) => io?.stream("stdout", a.map((x) => (typeof x === "string" ? x : inspect(x))).join(" ") + "\n"),
               error: (...a) => io?.stream("stderr", a.join(" ") + "\n") },
    display: async (value, options) => {
      const target = io;
      const displayId = options?.displayId ?? randomUUID();
      target.display(await render(value), { displayId });
      return { displayId, update: async (next) => target.display(await render(next), { displayId, update: true }) };
    },
    clearOutput: (wait) => io.clearOutput(wait),
    input: (prompt, password) => io.input(prompt, password),
    sleep: (ms) => {
      const signal = io.signal;
      return new Promise((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => { clearTimeout(t); reject(new Error("interrupted")); }, { once: true });
      });
    },
    setTimeout, clearTimeout, setInterval, clearInterval, process,
    require: createRequire(import.meta.url),
  });
  return {
    async execute(code, cellIO) {
      io = cellIO;
      try {
        let value = vm.runInContext(code, context, { filename: `cell-${cellIO.executionCount}`, breakOnSigint: true });
        if (value && typeof value.then === "function") {
          value = await new Promise((resolve, reject) => {
            cellIO.signal.addEventListener("abort", () => reject(new Error("interrupted")), { once: true });
            value.then(resolve, reject);
          });
        }
        return value === undefined ? { status: "ok" } : { status: "ok", result: await render(value) };
      } catch (err) {
        return report(err);
      }
    },
    async evaluate(expression) {
      try {
        return { status: "ok", result: await render(vm.runInContext(expression, context)) };
      } catch (err) {
        return report(err);
      }
    },
    async complete(code, cursorPos) {
      const chars = [...code];
      const before = chars.slice(0, cursorPos).join("");
      const word = /[A-Za-z_$][\w$]*$/.exec(before)?.[0] ?? "";
      const names = Object.getOwnPropertyNames(context).filter((n) => n.startsWith(word)).sort();
      return { matches: names, cursorStart: cursorPos - [...word].length, cursorEnd: cursorPos, metadata: {} };
    },
    async inspect(code, cursorPos) {
      const word = /[A-Za-z_$][\w$]*$/.exec([...code].slice(0, cursorPos).join(""))?.[0];
      if (!word || !(word in context)) return { found: false, data: {} };
      return { found: true, data: { "text/plain": `${word}: ${typeof context[word]}` } };
    },
    isComplete(code) {
      let depth = 0;
      for (const ch of code) depth += "([{".includes(ch) ? 1 : ")]}".includes(ch) ? -1 : 0;
      return depth > 0 ? { status: "incomplete", indent: "  " } : depth < 0 ? { status: "invalid" } : { status: "complete" };
    },
    interrupt() {},
    async shutdown() {
      if (shutdownFile) writeFileSync(shutdownFile, "shutdown\n");
    },
  };
}
