export * from "./compile.js";
export * from "./verifier.js";
export * from "./hooks.js";
export { ansi, stripAnsi } from "./ansi.js";
