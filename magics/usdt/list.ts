/**
 * USDT (SystemTap SDT) probes of a binary or of a live process, read from the
 * ELF `.note.stapsdt` notes: provider, name, address, semaphore and the
 * argument specifications (`-4@%esi 8@%rax`), as `readelf -n` shows them.
 */
import { ElfError, cString, withElf } from "../probes/elf.js";
import { processFiles, resolveBinary } from "../probes/binary-path.js";

export interface UsdtProbe {
  /** The file the probe is in (for a pid: each mapped file, under /proc/PID/root when the process sees another root). */
  binary: string;
  provider: string;
  name: string;
  /** The probe's virtual address in the file, corrected for prelinking by `.stapsdt.base`. */
  address: bigint;
  /** The virtual address of the probe's enable counter, 0 when it has none. */
  semaphore: bigint;
  /** One argument specification per argument: `SIZE@OPERAND`, size negative when signed. */
  args: string[];
}

const NT_STAPSDT = 3;

/** The probes of one ELF file; none for a file without the note section. */
export function usdtOfFile(binary: string): UsdtProbe[] {
  return withElf(binary, (elf) => {
    const base = elf.section(".stapsdt.base")?.addr;
    const out: UsdtProbe[] = [];
    for (const n of elf.notes(".note.stapsdt")) {
      if (n.owner !== "stapsdt" || n.type !== NT_STAPSDT || n.desc.length < 24) continue;
      const pc = n.desc.readBigUInt64LE(0);
      const noteBase = n.desc.readBigUInt64LE(8);
      const semaphore = n.desc.readBigUInt64LE(16);
      const provider = cString(n.desc, 24);
      const name = cString(n.desc, 24 + provider.length + 1);
      const argText = cString(n.desc, 24 + provider.length + 1 + name.length + 1).trim();
      const address = base !== undefined && noteBase !== 0n ? pc + base - noteBase : pc;
      out.push({ binary, provider, name, address, semaphore, args: argText ? argText.split(/\s+/) : [] });
    }
    return out;
  });
}

/**
 * The USDT probes of `target`: a path (or command or library name), or a
 * pid, whose executable and mapped libraries are all read.
 */
export async function listUsdt(target: string): Promise<UsdtProbe[]> {
  const t = target.trim();
  if (/^\d+$/.test(t)) {
    const out: UsdtProbe[] = [];
    for (const file of processFiles(Number(t))) {
      try {
        out.push(...usdtOfFile(file));
      } catch (e) {
        // a mapped file that is not ELF (a locale archive, a font) has no probes
        if (!(e instanceof ElfError)) throw e;
      }
    }
    return out;
  }
  return usdtOfFile(resolveBinary(t));
}
