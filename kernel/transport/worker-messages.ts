/** Messages between the main thread and the control/heartbeat worker. */

export interface WorkerConfig {
  controlEndpoint: string;
  hbEndpoint: string;
  key: string;
  signatureScheme: string;
}

export type FromWorker =
  | { kind: "bound"; control: string; hb: string }
  | { kind: "control"; frames: Uint8Array[] }
  | { kind: "failed"; message: string }
  | { kind: "closed" };

export type ToWorker = { kind: "send"; frames: Uint8Array[] } | { kind: "close" };
