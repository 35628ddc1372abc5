/**
 * Font files for PNG rasterization. resvg has no fontconfig; asking fc-match
 * once for the sans-serif regular and bold faces gives the same font the
 * browser would pick, without loading every font on the system per render.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The family name Vega's "sans-serif" resolves to in the rasterizer. */
export let SANS_FAMILY = "DejaVu Sans";

let cached: string[] | undefined;

function match(pattern: string): { file?: string; family?: string } {
  try {
    const out = execFileSync("fc-match", ["-f", "%{file}\n%{family[0]}", pattern], {
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const [file, family] = out.split("\n");
    return { file: file && existsSync(file) ? file : undefined, family };
  } catch {
    return {};
  }
}

/** The regular and bold sans-serif font files, or [] when fontconfig has none. */
export function fontFiles(): string[] {
  if (cached) return cached;
  const regular = match("sans-serif");
  const bold = match("sans-serif:bold");
  if (regular.family) SANS_FAMILY = regular.family;
  cached = [regular.file, bold.file].filter((f): f is string => !!f);
  cached = [...new Set(cached)];
  return cached;
}
