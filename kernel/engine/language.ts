/**
 * One TypeScript LanguageService over the whole session, for type warnings,
 * completion and inspection. It sees four kinds of virtual files:
 * - the current cell (its TypeScript view, as an ES module so that its own
 *   declarations shadow earlier ones instead of clashing with them);
 * - the history: a global script holding what earlier cells declared (types of
 *   variables as `declare let x: T`, functions, classes and types verbatim,
 *   imports as `typeof import(...)`), latest declaration of a name wins;
 * - the kernel's globals and each plugin's declarations (.d.ts).
 * The service is kept for the session, so only changed files are re-checked.
 */
import { createRequire } from "node:module";
import path from "node:path";
import type TS from "typescript";
import { ts } from "./typescript.js";
import { callHelp } from "./call-options.js";

export interface LanguageServiceOptions {
  cwd: string;
  /** Ambient declaration files: the kernel's globals and each plugin's declarations. */
  declarations: Array<{ name: string; text: string }>;
  /** What earlier cells declared, as history() gave it: a restarted service takes up where the last one stopped. */
  history?: Array<[string, string]>;
}

export interface Completion {
  matches: string[];
  /** UTF-16 offsets in the cell. */
  start: number;
  end: number;
  kinds: string[];
}

export interface QuickInfo {
  signature: string;
  documentation: string;
  tags: string[];
}

/** Where @types/node lives: beside the kernel, whatever the notebook's cwd. */
function typeRoots(): string[] {
  try {
    const req = createRequire(import.meta.url);
    return [path.dirname(path.dirname(req.resolve("@types/node/package.json")))];
  } catch {
    return [];
  }
}

const OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  // The history file must stay a global script even under a package.json with "type": "module".
  moduleDetection: ts.ModuleDetectionKind.Legacy,
  lib: ["lib.es2023.d.ts"],
  types: ["node"],
  typeRoots: typeRoots(),
  strict: true,
  noImplicitAny: false,
  skipLibCheck: true,
  esModuleInterop: true,
  noEmit: true,
  allowJs: false,
};

/** Parsed library files, shared by every service in the process (a restarted engine reuses them). */
const REGISTRY = ts.createDocumentRegistry();

interface VirtualFile {
  text: string;
  version: number;
}

/** Diagnostics that only reflect how a cell is wrapped, not the user's code. */
const IGNORED = new Set([
  1208, // file is not a module (never true: the cell is one)
  2451, // redeclare block-scoped variable (cells may redeclare)
  2300, // duplicate identifier (same)
  80005, // 'require' call may be converted to an import
]);

export class CellLanguageService {
  private readonly files = new Map<string, VirtualFile>();
  private readonly disk = new Map<string, TS.IScriptSnapshot | undefined>();
  private readonly history = new Map<string, string>();
  private readonly service: TS.LanguageService;
  readonly cellFile: string;
  private readonly historyFile: string;
  /** Text appended to the cell so it is a module (its declarations shadow history's). */
  private static readonly SUFFIX = "\nexport {};\n";

  constructor(options: LanguageServiceOptions) {
    const dir = options.cwd;
    this.cellFile = path.join(dir, "__ibcc_cell__.mts");
    this.historyFile = path.join(dir, "__ibcc_history__.ts");
    this.files.set(this.cellFile, { text: "export {};\n", version: 0 });
    this.files.set(this.historyFile, { text: "", version: 0 });
    for (const [name, text] of options.history ?? []) this.history.set(name, text);
    if (this.history.size) this.writeHistory();
    options.declarations.forEach((d, i) => {
      this.files.set(path.join(dir, `__ibcc_${i}_${d.name.replace(/\W/g, "_")}__.d.ts`), { text: d.text, version: 0 });
    });
    const host: TS.LanguageServiceHost = {
      getScriptFileNames: () => [...this.files.keys()],
      getScriptVersion: (name) => String(this.files.get(name)?.version ?? 0),
      getScriptSnapshot: (name) => {
        const v = this.files.get(name);
        if (v) return ts.ScriptSnapshot.fromString(v.text);
        if (!this.disk.has(name)) {
          const text = ts.sys.readFile(name);
          this.disk.set(name, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
        }
        return this.disk.get(name);
      },
      getCurrentDirectory: () => dir,
      getCompilationSettings: () => OPTIONS,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (name) => this.files.has(name) || ts.sys.fileExists(name),
      readFile: (name) => this.files.get(name)?.text ?? ts.sys.readFile(name),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, REGISTRY);
  }

  private setFile(name: string, text: string): void {
    const f = this.files.get(name)!;
    if (f.text === text) return;
    f.text = text;
    f.version++;
  }

  /** Loads the libraries and builds the checker (the slow part, once per session). */
  warmUp(): void {
    this.service.getSemanticDiagnostics(this.cellFile);
  }

  /** Makes `view` (the cell's TypeScript, other lines blanked) the current cell. */
  setCell(view: string): void {
    this.setFile(this.cellFile, view + CellLanguageService.SUFFIX);
  }

  /** Type errors of the current cell as `<label>:line:col - TSnnnn: message` lines. */
  warnings(label: string): string[] {
    const length = this.files.get(this.cellFile)!.text.length - CellLanguageService.SUFFIX.length;
    const diags = this.service.getSemanticDiagnostics(this.cellFile);
    const out: string[] = [];
    for (const d of diags) {
      if (IGNORED.has(d.code) || d.start === undefined || d.start > length || !d.file) continue;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      out.push(`${label}:${line + 1}:${character + 1} - TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
    return out;
  }

  /** Records what the cell with this view declares, for the cells that follow. */
  commit(view: string): void {
    this.setCell(view);
    const program = this.service.getProgram();
    const file = program?.getSourceFile(this.cellFile);
    const historySource = program?.getSourceFile(this.historyFile);
    if (!program || !file || !historySource) return;
    const checker = program.getTypeChecker();
    const entries = new Map<string, string[]>();
    const add = (name: string, text: string): void => {
      const list = entries.get(name) ?? [];
      list.push(text);
      entries.set(name, list);
    };
    const typeText = (node: TS.Node): string => {
      const type = checker.getTypeAtLocation(node);
      const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
      return checker.typeToString(type, historySource, flags);
    };
    for (const stmt of file.statements) {
      if (ts.isVariableStatement(stmt)) {
        const keyword = stmt.declarationList.flags & ts.NodeFlags.Const ? "const" : "let";
        for (const decl of stmt.declarationList.declarations) {
          for (const id of bindingNames(decl.name)) add(id.text, `declare ${keyword} ${id.text}: ${typeText(id)};`);
        }
      } else if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
        importEntries(stmt, add, typeText);
      } else if (ts.isImportEqualsDeclaration(stmt) && ts.isExternalModuleReference(stmt.moduleReference)) {
        add(stmt.name.text, `declare const ${stmt.name.text}: typeof import(${stmt.moduleReference.expression.getText(file)});`);
      } else if (
        (ts.isFunctionDeclaration(stmt) ||
          ts.isClassDeclaration(stmt) ||
          ts.isInterfaceDeclaration(stmt) ||
          ts.isTypeAliasDeclaration(stmt) ||
          ts.isEnumDeclaration(stmt) ||
          ts.isModuleDeclaration(stmt)) &&
        stmt.name &&
        ts.isIdentifier(stmt.name)
      ) {
        add(stmt.name.text, stmt.getText(file).replace(/^export\s+(default\s+)?/, ""));
      }
    }
    if (entries.size === 0) return;
    for (const [name, texts] of entries) {
      this.history.delete(name);
      this.history.set(name, texts.join("\n"));
    }
    this.writeHistory();
  }

  /** A global bound by a magic (setGlobal), with its type text when given. */
  declareGlobal(name: string, typeDeclaration?: string): void {
    this.history.delete(name);
    this.history.set(name, `declare let ${name}: ${typeDeclaration ?? "any"};`);
    this.writeHistory();
  }

  /** The history's entries in declaration order, for a service started later. */
  historyEntries(): Array<[string, string]> {
    return [...this.history.entries()];
  }

  private writeHistory(): void {
    this.setFile(this.historyFile, [...this.history.values()].join("\n") + "\n");
  }

  complete(position: number): Completion | undefined {
    const text = this.files.get(this.cellFile)!.text;
    let start = position;
    while (start > 0 && /[\w$]/.test(text[start - 1])) start--;
    const prefix = text.slice(start, position);
    const info = this.service.getCompletionsAtPosition(this.cellFile, position, {
      includeCompletionsWithInsertText: true,
      includeCompletionsForModuleExports: false,
    });
    if (!info) return undefined;
    const lower = prefix.toLowerCase();
    const entries = info.entries
      // "[Symbol]" and the like start a computed access; after a dot they would only insert nonsense.
      .filter((e) => !e.insertText?.startsWith("["))
      .filter((e) => e.name.toLowerCase().startsWith(lower))
      .sort(
        (a, b) =>
          Number(!b.name.startsWith(prefix)) - Number(!a.name.startsWith(prefix)) ||
          a.sortText.localeCompare(b.sortText) ||
          a.name.localeCompare(b.name),
      )
      .slice(0, 1000);
    return { matches: entries.map((e) => e.name), start, end: position, kinds: entries.map((e) => e.kind) };
  }

  quickInfo(position: number): QuickInfo | undefined {
    const program = this.service.getProgram();
    const call = program ? callHelp(program, this.cellFile, position) : undefined;
    if (call) return { signature: call.signature, documentation: call.documentation, tags: [] };
    const info =
      this.service.getQuickInfoAtPosition(this.cellFile, position) ??
      (position > 0 ? this.service.getQuickInfoAtPosition(this.cellFile, position - 1) : undefined);
    if (!info) return undefined;
    return {
      signature: ts.displayPartsToString(info.displayParts),
      documentation: ts.displayPartsToString(info.documentation),
      tags: (info.tags ?? []).map((t) => `@${t.name}${t.text ? " " + ts.displayPartsToString(t.text) : ""}`),
    };
  }
}

function bindingNames(name: TS.BindingName): TS.Identifier[] {
  if (ts.isIdentifier(name)) return [name];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : bindingNames(el.name)));
}

/** Imported values keep the checker's type (a default import of a CommonJS module is its namespace). */
function importEntries(
  stmt: TS.ImportDeclaration,
  add: (name: string, text: string) => void,
  typeText: (node: TS.Node) => string,
): void {
  const clause = stmt.importClause;
  if (!clause) return;
  const spec = JSON.stringify((stmt.moduleSpecifier as TS.StringLiteral).text);
  if (clause.name && !clause.isTypeOnly) add(clause.name.text, `declare const ${clause.name.text}: ${typeText(clause.name)};`);
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    if (!clause.isTypeOnly) add(bindings.name.text, `declare const ${bindings.name.text}: ${typeText(bindings.name)};`);
  } else if (bindings) {
    for (const el of bindings.elements) {
      const local = el.name.text;
      const remote = (el.propertyName ?? el.name).text;
      // The imported name may be a value, a type or both; the wrong half resolves to `any` harmlessly.
      if (!clause.isTypeOnly && !el.isTypeOnly) add(local, `declare const ${local}: ${typeText(el.name)};`);
      add(local, `type ${local} = import(${spec}).${remote};`);
    }
  }
}
