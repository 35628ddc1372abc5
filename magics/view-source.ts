/**
 * What reproduces a view of a program's data, recorded in each chart's and
 * table's output metadata: the kernel, libbcc, the program's tags and the
 * window from attach to the read that drew it.
 */
import { release } from "node:os";
import type { ViewSource } from "../kernel/display/metadata.js";
import { libbccVersion } from "./environment.js";
import { captureNote } from "./capture/origins.js";
import type { ProgramOrigin } from "./program-origin.js";

const kernelRelease = release();
const libbcc = libbccVersion();

export function viewSource(origin: ProgramOrigin | undefined): ViewSource {
  const source: ViewSource = { kernelRelease, libbccVersion: libbcc };
  if (origin) {
    if (origin.tags.length) source.programTag = origin.tags.join(",");
    source.captureWindow = { start: origin.attachedAt, end: new Date() };
    const note = captureNote(origin);
    if (note?.file) source.capture = { file: note.file, dir: note.dir, replayed: note.replayed };
    if (note?.at) source.captureWindow.end = note.at;
  }
  return source;
}
