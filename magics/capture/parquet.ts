/**
 * Arrow tables to and from Parquet through parquet-wasm (the Rust arrow-rs
 * Parquet writer compiled to WebAssembly). Parquet is the capture format
 * because DuckDB reads it with no extension and pandas/Polars/Observable open
 * it directly; zstd keeps a 1M-entry u64 map near 5 MB. The package's node
 * build is CommonJS inside a "type": "module" package, which Node refuses, so
 * the ESM build is used and given its .wasm bytes.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as ParquetNs from "parquet-wasm/esm";
import { arrow, type ArrowTable } from "./arrow.js";

let lib: typeof ParquetNs | undefined;

async function parquet(): Promise<typeof ParquetNs> {
  if (lib) return lib;
  const mod = (await import("parquet-wasm/esm")) as typeof ParquetNs;
  const wasm = createRequire(import.meta.url).resolve("parquet-wasm/esm/parquet_wasm_bg.wasm");
  mod.initSync({ module: readFileSync(wasm) });
  lib = mod;
  return mod;
}

/** Loads the WebAssembly module; the sync functions below need it done. */
export const parquetReady = (): Promise<unknown> => parquet();

function loaded(): typeof ParquetNs {
  if (!lib) throw new Error("parquet-wasm is not loaded yet (await parquetReady() first)");
  return lib;
}

/**
 * Parquet bytes of `table` (zstd). Its schema metadata is also written as
 * the file's own key-value metadata, which any Parquet reader lists
 * (DuckDB: parquet_kv_metadata()).
 */
export function toParquet(table: ArrowTable): Uint8Array {
  const P = loaded();
  const ipc = arrow().tableToIPC(table, "stream");
  const props = new P.WriterPropertiesBuilder()
    .setCompression(P.Compression.ZSTD)
    .setKeyValueMetadata(new Map(table.schema.metadata))
    .build();
  return P.writeParquet(P.Table.fromIPCStream(ipc), props);
}

export function fromParquet(bytes: Uint8Array): ArrowTable {
  const P = loaded();
  const t = P.readParquet(bytes);
  return arrow().tableFromIPC(t.intoIPCStream());
}
