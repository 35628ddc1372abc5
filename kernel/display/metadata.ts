/**
 * Output metadata that lets a reader reproduce a view: which kernel, which
 * libbcc, which program and which capture window produced it, and what view of
 * the data was drawn. It travels under the `ibcc` key of the output metadata.
 */

/** Where the data came from; the BPF side fills in what it knows. */
export interface ViewSource {
  kernelRelease?: string;
  libbccVersion?: string;
  /** The BPF program's tag (bpftool's 16-hex-digit hash). */
  programTag?: string;
  captureWindow?: { start: Date | number | string; end: Date | number | string };
  /** The capture file the view's data was recorded to (or, replayed, read from). */
  capture?: { file: string; dir: string; replayed: boolean };
}

/** The part of a display's metadata this layer writes. */
export interface IbccMetadata {
  kernelRelease?: string;
  libbccVersion?: string;
  programTag?: string;
  /** ISO 8601 times. */
  captureWindow?: { start: string; end: string };
  capture?: { file: string; dir: string; replayed: boolean };
  /** What kind of view this is ("histogram", "table", "flamegraph", ...). */
  view: string;
  /** The options that shaped the view (top N, sort column, log scale, ...). */
  options?: Record<string, unknown>;
}

export function isoTime(t: Date | number | string): string {
  if (t instanceof Date) return t.toISOString();
  if (typeof t === "number") return new Date(t).toISOString();
  return t;
}

export function ibccMetadata(
  view: string,
  source: ViewSource | undefined,
  options?: Record<string, unknown>,
): { ibcc: IbccMetadata } {
  const meta: IbccMetadata = { view };
  if (source?.kernelRelease !== undefined) meta.kernelRelease = source.kernelRelease;
  if (source?.libbccVersion !== undefined) meta.libbccVersion = source.libbccVersion;
  if (source?.programTag !== undefined) meta.programTag = source.programTag;
  if (source?.captureWindow) {
    meta.captureWindow = {
      start: isoTime(source.captureWindow.start),
      end: isoTime(source.captureWindow.end),
    };
  }
  if (source?.capture) meta.capture = { ...source.capture };
  if (options) {
    const kept = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    if (Object.keys(kept).length) meta.options = kept;
  }
  return { ibcc: meta };
}
