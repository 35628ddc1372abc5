/** kernel_info_request, answered on shell and on control. */
import { existsSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROTOCOL_VERSION } from "../message.js";
import type { Handler } from "../state.js";

function packageVersion(): string {
  // Source (kernel/protocol/handlers) and build (dist/kernel/protocol/handlers)
  // sit at different depths: walk up to our own package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "ibcc") return pkg.version ?? "0.0.0";
    }
    const up = dirname(dir);
    if (up === dir) return "0.0.0";
    dir = up;
  }
}

function typescriptVersion(): string {
  try {
    return (createRequire(import.meta.url)("typescript/package.json") as { version: string }).version;
  } catch {
    return "5";
  }
}

const implementationVersion = packageVersion();

export const kernelInfoContent = {
  status: "ok",
  protocol_version: PROTOCOL_VERSION,
  implementation: "ibcc",
  implementation_version: implementationVersion,
  debugger: false,
  language_info: {
    name: "typescript",
    version: typescriptVersion(),
    mimetype: "text/typescript",
    file_extension: ".ts",
    codemirror_mode: "typescript",
    pygments_lexer: "typescript",
    // nbclient and Jupyter copy language_info into the notebook's metadata, so
    // this is how an executed notebook records where it ran (plugins add their
    // own facts through addEnvironment, e.g. the libbcc version).
    ibcc: { version: implementationVersion, kernel_release: release() } as Record<string, string>,
  },
  banner: `ibcc ${implementationVersion}: TypeScript and BPF C (%%bpf) for exploring the running Linux kernel`,
  help_links: [
    { text: "BCC reference guide", url: "https://github.com/iovisor/bcc/blob/master/docs/reference_guide.md" },
    { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
  ],
};

/** Adds facts about the running environment to language_info.ibcc. */
export function addEnvironment(facts: Record<string, string>): void {
  Object.assign(kernelInfoContent.language_info.ibcc, facts);
}

export const kernelInfo: Handler = (ctx) => {
  ctx.reply(kernelInfoContent);
};
