/**
 * The half of the engine that needs TypeScript, loaded as one module when a
 * cell first needs it or once the kernel is idle after starting: splitting
 * cells around magics (TypeScript's scanner), transpiling chunks,
 * is_complete, and magic completion. Until then plain cells run without it
 * (plain-cell.ts), so a kernel answers its first `1 + 1` without waiting
 * through TypeScript's load.
 */
export { saveTypeScriptCache } from "./typescript.js";
export { splitCell, typeScriptView } from "./splitter.js";
export { prepareChunk, runChunk } from "./prepare-chunk.js";
export { warmUpTranspile } from "./transpile.js";
export { isComplete } from "./is-complete.js";
export { completeMagic, inspectMagic } from "./magic-assist.js";
