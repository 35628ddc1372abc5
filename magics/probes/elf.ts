/**
 * Just enough of ELF64 (little-endian, as on x86-64 and arm64) to find what
 * user-space probes attach to: section headers, defined function symbols
 * (.symtab and .dynsym) and notes. Only the needed ranges of the file are read,
 * so a process with a hundred mapped libraries is listed quickly.
 */
import { closeSync, openSync, readSync, fstatSync } from "node:fs";

export class ElfError extends Error {
  override name = "ElfError";
}

export interface Section {
  name: string;
  type: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ElfSymbol {
  name: string;
  address: bigint;
  size: number;
}

const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;

export class ElfFile {
  readonly sections: Section[];

  private constructor(
    private readonly fd: number,
    readonly path: string,
    private readonly fileSize: number,
  ) {
    this.sections = this.readSections();
  }

  /** Opens `path`; the caller closes it. Throws ElfError when it is not a 64-bit little-endian ELF file. */
  static open(path: string): ElfFile {
    const fd = openSync(path, "r");
    try {
      return new ElfFile(fd, path, fstatSync(fd).size);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  read(offset: number, length: number): Buffer {
    if (offset < 0 || length < 0 || offset + length > this.fileSize) throw new ElfError(`${this.path}: truncated ELF file (wanted ${length} bytes at ${offset})`);
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, offset + done);
      if (n === 0) throw new ElfError(`${this.path}: unexpected end of file`);
      done += n;
    }
    return buf;
  }

  private readSections(): Section[] {
    if (this.fileSize < 64) throw new ElfError(`${this.path} is not an ELF file`);
    const h = this.read(0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46) throw new ElfError(`${this.path} is not an ELF file`);
    if (h[4] !== 2 || h[5] !== 1) throw new ElfError(`${this.path}: only 64-bit little-endian ELF files are read`);
    const shoff = Number(h.readBigUInt64LE(0x28));
    const shentsize = h.readUInt16LE(0x3a);
    const shnum = h.readUInt16LE(0x3c);
    const shstrndx = h.readUInt16LE(0x3e);
    if (shnum === 0 || shentsize < 64) return [];
    const table = this.read(shoff, shnum * shentsize);
    const raw = Array.from({ length: shnum }, (_, i) => {
      const p = i * shentsize;
      return {
        nameOff: table.readUInt32LE(p),
        type: table.readUInt32LE(p + 4),
        addr: table.readBigUInt64LE(p + 16),
        offset: Number(table.readBigUInt64LE(p + 24)),
        size: Number(table.readBigUInt64LE(p + 32)),
        link: table.readUInt32LE(p + 40),
        entsize: Number(table.readBigUInt64LE(p + 56)),
      };
    });
    const names = shstrndx < shnum ? this.read(raw[shstrndx].offset, raw[shstrndx].size) : Buffer.alloc(0);
    return raw.map(({ nameOff, ...s }) => ({ ...s, name: cString(names, nameOff) }));
  }

  section(name: string): Section | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** Defined functions from .symtab and .dynsym, one per name (the first seen). */
  functions(): ElfSymbol[] {
    const out = new Map<string, ElfSymbol>();
    for (const s of this.sections) {
      if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
      const strtab = this.sections[s.link];
      if (!strtab || s.size === 0) continue;
      const data = this.read(s.offset, s.size);
      const strings = this.read(strtab.offset, strtab.size);
      const ent = s.entsize || 24;
      for (let p = 0; p + 24 <= data.length; p += ent) {
        const info = data[p + 4];
        const type = info & 0xf;
        const shndx = data.readUInt16LE(p + 6);
        const value = data.readBigUInt64LE(p + 8);
        if ((type !== STT_FUNC && type !== STT_GNU_IFUNC) || shndx === 0 || value === 0n) continue;
        // versioned dynamic names ("memcpy@@GLIBC_2.14") are attached to by their plain name
        const name = cString(strings, data.readUInt32LE(p)).replace(/@.*$/, "");
        if (name && !out.has(name)) out.set(name, { name, address: value, size: Number(data.readBigUInt64LE(p + 16)) });
      }
    }
    return [...out.values()];
  }

  /** Every note of the named note section: owner name, type and descriptor bytes. */
  notes(sectionName: string): { owner: string; type: number; desc: Buffer }[] {
    const s = this.section(sectionName);
    if (!s || s.type !== SHT_NOTE) return [];
    const data = this.read(s.offset, s.size);
    const out: { owner: string; type: number; desc: Buffer }[] = [];
    let p = 0;
    while (p + 12 <= data.length) {
      const namesz = data.readUInt32LE(p);
      const descsz = data.readUInt32LE(p + 4);
      const type = data.readUInt32LE(p + 8);
      const nameStart = p + 12;
      const descStart = nameStart + align4(namesz);
      if (descStart + descsz > data.length) break;
      out.push({ owner: cString(data.subarray(nameStart, nameStart + namesz), 0), type, desc: data.subarray(descStart, descStart + descsz) });
      p = descStart + align4(descsz);
    }
    return out;
  }
}

const align4 = (n: number) => (n + 3) & ~3;

export function cString(buf: Buffer, offset: number): string {
  if (offset >= buf.length) return "";
  const end = buf.indexOf(0, offset);
  return buf.toString("latin1", offset, end < 0 ? buf.length : end);
}

/** Runs `fn` on the opened file and closes it whatever happens. */
export function withElf<T>(path: string, fn: (elf: ElfFile) => T): T {
  const elf = ElfFile.open(path);
  try {
    return fn(elf);
  } finally {
    elf.close();
  }
}
