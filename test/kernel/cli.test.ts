/** The CLI: help, usage errors, and kernelspec installs (prefix, user, name). */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../support/kernel-client.js";

const dir = mkdtempSync(join(tmpdir(), "ibcc-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ibcc(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Width, height and the decoded size of a PNG's pixel data. */
function pngInfo(file: string): { width: number; height: number; bytes: number } {
  const png = readFileSync(file);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.toString("ascii", at + 4, at + 8) === "IDAT") idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bytes: inflateSync(Buffer.concat(idat)).length };
}

describe("ibcc CLI", () => {
  it("prints help with --help and fails with usage on unknown input", () => {
    const help = ibcc(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/ibcc kernel <connection_file>/);
    expect(help.out).toMatch(/ibcc install/);
    expect(ibcc(["frobnicate"]).code).toBe(2);
    expect(ibcc(["kernel"]).code).toBe(2);
    expect(ibcc(["install", "--bogus"]).code).toBe(2);
    expect(ibcc(["install", "--user", "--prefix", dir]).code).toBe(2);
  });

  it("fails clearly on a missing connection file", () => {
    const r = ibcc(["kernel", join(dir, "missing.json")]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^ibcc: cannot read connection file .*missing\.json/);
    expect(r.err).not.toMatch(/    at /);
  });

  it("installs under --prefix a kernel.json Jupyter can launch, with both logos", () => {
    const r = ibcc(["install", "--prefix", join(dir, "prefix")]);
    expect(r.code).toBe(0);
    const spec = join(dir, "prefix/share/jupyter/kernels/ibcc");
    const kernel = JSON.parse(readFileSync(join(spec, "kernel.json"), "utf8"));
    expect(kernel).toMatchObject({
      argv: [process.execPath, CLI, "kernel", "{connection_file}"],
      display_name: "ibcc (TypeScript + BPF)",
      language: "typescript",
      interrupt_mode: "message",
    });
    expect(typeof kernel.metadata).toBe("object");
    for (const size of [32, 64]) {
      const info = pngInfo(join(spec, `logo-${size}x${size}.png`));
      expect(info).toEqual({ width: size, height: size, bytes: size * (size * 4 + 1) });
    }
    // jupyter itself finds it.
    const found = execFileSync(
      "/usr/bin/python3",
      ["-c", "from jupyter_client.kernelspec import KernelSpecManager as M; print(M().get_kernel_spec('ibcc').display_name)"],
      { encoding: "utf8", env: { ...process.env, JUPYTER_PATH: join(dir, "prefix/share/jupyter") } },
    );
    expect(found.trim()).toBe("ibcc (TypeScript + BPF)");
  });

  it("installs for the user and under another name", () => {
    const home = join(dir, "home");
    const r = ibcc(["install", "--user", "--name", "ibcc-dev"], { HOME: home, JUPYTER_DATA_DIR: "", XDG_DATA_HOME: "" });
    expect(r.code).toBe(0);
    const kernel = JSON.parse(readFileSync(join(home, ".local/share/jupyter/kernels/ibcc-dev/kernel.json"), "utf8"));
    expect(kernel.display_name).toBe("ibcc (TypeScript + BPF) [ibcc-dev]");
    expect(ibcc(["install", "--prefix", dir, "--name", "../escape"]).code).not.toBe(0);
    expect(existsSync(join(dir, "share/jupyter/escape"))).toBe(false);
  });
});
