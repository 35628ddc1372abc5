/** What the engine and its language worker say to each other. */
import type { Completion, LanguageServiceOptions, QuickInfo } from "./language.js";

export type LanguageRequest =
  | { op: "warnings"; view: string; label: string }
  | { op: "complete"; view: string; position: number }
  | { op: "quickInfo"; view: string; position: number }
  | { op: "commit"; view: string }
  | { op: "declareGlobal"; name: string; typeDeclaration?: string }
  | { op: "memory"; collect: boolean }
  | { op: "history" };

/** A V8 heap's figures, in bytes: live objects (and garbage not yet collected), and what V8 has reserved for them. */
export interface HeapFigures {
  used: number;
  committed: number;
}

export interface LanguageResults {
  warnings: string[];
  complete: Completion | undefined;
  quickInfo: QuickInfo | undefined;
  commit: undefined;
  declareGlobal: undefined;
  memory: HeapFigures;
  history: Array<[string, string]>;
}

export type ToLanguageWorker = LanguageRequest & { id: number };

export type FromLanguageWorker =
  | { kind: "ready"; loadMs: number }
  | { kind: "result"; id: number; value: unknown }
  | { kind: "failed"; id: number; message: string };

export type LanguageWorkerData = LanguageServiceOptions & {
  /** Load at a lowered priority: nobody waits on this start (a cell's type check runs beside the cell). */
  background?: boolean;
};
