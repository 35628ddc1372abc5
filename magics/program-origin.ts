/**
 * Where a program's data comes from, as views record it: the loaded
 * functions' tags and when they were attached. A leaf: the program, its
 * tables, the view metadata and the capture notes all name it.
 */
export interface ProgramOrigin {
  /** Tags of the program's loaded functions (bpftool's 16-hex-digit hashes). */
  tags: string[];
  attachedAt: Date;
}
