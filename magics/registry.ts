/** Every magic of the BPF side, in one table; %lsmagic shows each one's help line. */
import type { Magic } from "../kernel/plugin.js";
import { bpfCell } from "./bpf-cell.js";
import { bps } from "./line/bps.js";
import { maps } from "./line/maps.js";
import { detach } from "./line/detach.js";
import { features } from "./line/features.js";
import { tracePipeMagic } from "./line/trace-pipe.js";
import { probes } from "./line/probes.js";
import { captureMagic, replayMagic } from "./capture/magics.js";
import { bpftraceCell } from "./bpftrace/cell.js";

export const MAGICS: Magic[] = [bpfCell, bpftraceCell, bps, maps, detach, features, tracePipeMagic, probes, captureMagic, replayMagic];
