/**
 * The hidden global through which a cell's transformed code reaches the
 * engine (its result, its imports). Its own module: the session's context
 * sets it up without loading TypeScript.
 */
export const HOOK = "__ibcc__";
