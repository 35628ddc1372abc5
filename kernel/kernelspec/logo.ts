/**
 * The kernel's logo, drawn in code so no binary sits in the repository: an amber
 * hexagon (a honeycomb cell, for the "bee" in eBPF) with a dark "trace line"
 * through it, on a slate rounded square.
 */
import { encodePng } from "./png.js";

type Rgba = [number, number, number, number];
const SLATE: Rgba = [30, 41, 59, 255];
const AMBER: Rgba = [245, 158, 11, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

export function logoPng(size: number): Buffer {
  const px = new Uint8Array(size * size * 4);
  const samples = 4; // supersampling per axis, for smooth edges
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const u = (x + (sx + 0.5) / samples) / size; // 0..1
          const v = (y + (sy + 0.5) / samples) / size;
          const c = colourAt(u, v);
          for (let i = 0; i < 4; i++) acc[i] += c[i];
        }
      }
      px.set(acc.map((a) => Math.round(a / (samples * samples))), (y * size + x) * 4);
    }
  }
  return encodePng(size, size, px);
}

function colourAt(u: number, v: number): Rgba {
  if (!inRoundedSquare(u, v, 0.18)) return CLEAR;
  const dx = Math.abs(u - 0.5);
  const dy = Math.abs(v - 0.5);
  // Pointy-top hexagon of circumradius r.
  const r = 0.36;
  const inHex = dx <= (r * Math.sqrt(3)) / 2 && dy <= r - dx / Math.sqrt(3);
  if (!inHex) return SLATE;
  // A pulse-like trace across the hexagon.
  const trace = u < 0.4 ? 0.5 : u < 0.5 ? 0.5 - (u - 0.4) * 2.5 : u < 0.6 ? 0.25 + (u - 0.5) * 5 : 0.5;
  return Math.abs(v - Math.min(0.75, trace)) < 0.045 ? SLATE : AMBER;
}

function inRoundedSquare(u: number, v: number, radius: number): boolean {
  const cx = Math.min(Math.max(u, radius), 1 - radius);
  const cy = Math.min(Math.max(v, radius), 1 - radius);
  return (u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2;
}
