/**
 * Which capture file a program's latest read went to (or came from, in
 * replay), by the program's origin: the views drawn from that read name the
 * file in their output metadata, which Jupyter saves in the notebook.
 */
import type { ProgramOrigin } from "../program-origin.js";

export interface CaptureNote {
  /** The folder and the file in it (relative). */
  dir: string;
  file?: string;
  replayed: boolean;
  /** Replayed: when the served read was recorded (the end of its capture window). */
  at?: string;
}

const notes = new WeakMap<ProgramOrigin, CaptureNote>();

export function noteFor(origin: ProgramOrigin, note: CaptureNote): CaptureNote {
  notes.set(origin, note);
  return note;
}

export function captureNote(origin: ProgramOrigin | undefined): CaptureNote | undefined {
  return origin ? notes.get(origin) : undefined;
}
