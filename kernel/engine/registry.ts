/**
 * The one table of magics: the kernel's own and every plugin's, keyed by how
 * they are written (`%name` for line magics, `%%name` for cell magics), so
 * `%time` and `%%time` live side by side.
 */
import type { CellMagic, LineMagic, Magic } from "../plugin.js";
import { nearest } from "./did-you-mean.js";

export class UnknownMagic extends Error {
  constructor(
    readonly written: string,
    readonly suggestions: string[] = [],
  ) {
    const hint = suggestions.length ? ` (did you mean ${suggestions.join(" or ")}?)` : "";
    super(`unknown magic ${written}${hint}: %lsmagic lists the magics this kernel knows`);
    this.name = "UnknownMagic";
  }
}

export function spelling(magic: Pick<Magic, "kind" | "name">): string {
  return `${magic.kind === "line" ? "%" : "%%"}${magic.name}`;
}

export class MagicRegistry {
  private readonly table = new Map<string, Magic>();

  /** A later registration of the same spelling replaces the earlier one. */
  register(magic: Magic): void {
    this.table.set(spelling(magic), magic);
  }

  line(name: string): LineMagic {
    const m = this.table.get(`%${name}`);
    if (!m || m.kind !== "line") throw this.unknown(`%${name}`);
    return m;
  }

  cell(name: string): CellMagic {
    const m = this.table.get(`%%${name}`);
    if (!m || m.kind !== "cell") throw this.unknown(`%%${name}`);
    return m;
  }

  private unknown(written: string): UnknownMagic {
    return new UnknownMagic(written, nearest(written, [...this.table.keys()]));
  }

  has(kind: "line" | "cell", name: string): boolean {
    return this.table.get(`${kind === "line" ? "%" : "%%"}${name}`)?.kind === kind;
  }

  /** Every magic, line magics first, each group by name. */
  all(): Magic[] {
    return [...this.table.values()].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "line" ? -1 : 1));
  }
}
