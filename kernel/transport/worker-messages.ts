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
  /**
   * A verified interrupt_request. `claim` is a shared Int32 cell: 0 unclaimed,
   * 1 the main thread interrupted, 2 the worker raised SIGINT. Whoever moves it
   * from 0 first acts, so a cell is interrupted exactly once.
   */
  | { kind: "interrupt"; claim: Int32Array }
  | { kind: "failed"; message: string }
  | { kind: "closed" };

export type ToWorker = { kind: "send"; frames: Uint8Array[] } | { kind: "close" };
