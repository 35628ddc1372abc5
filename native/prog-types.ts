/** Program, map and attach type names (libbpf's) to the kernel's numbers and back. */
import { binding } from "./binding.js";
import { BpfError, type ProgType } from "./types.js";

export function progTypeNumber(type: ProgType): number {
  const n = binding.progTypeNames.indexOf(type);
  if (n <= 0) throw new BpfError(`load: unknown program type "${type}"`, "EINVAL", 22, "load");
  return n;
}

export function attachTypeNumber(name: string): number {
  const n = binding.attachTypeNames.indexOf(name);
  if (n < 0) throw new BpfError(`load: unknown attach type "${name}"`, "EINVAL", 22, "load");
  return n;
}

export function mapTypeName(type: number): string {
  return binding.mapTypeNames[type] ?? `type_${type}`;
}
