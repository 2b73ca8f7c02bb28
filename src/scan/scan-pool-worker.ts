/**
 * The script each thread of the scan pool (scan-pool.ts) runs: one `scan()` at a time, asked for
 * and answered by message. The result is plain data, so it crosses threads by structured clone.
 */
import { parentPort } from "node:worker_threads";
import type { ScanOptions, ScanResult } from "../domain/types.js";
import { scan } from "./scan.js";

export interface ScanRequest {
  id: number;
  dir: string;
  options: ScanOptions;
}

export type ScanReply =
  | { id: number; ok: true; result: ScanResult }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } };

const port = parentPort;
if (port) {
  port.on("message", (request: ScanRequest) => {
    scan(request.dir, request.options).then(
      (result) => port.postMessage({ id: request.id, ok: true, result } satisfies ScanReply),
      (error: unknown) => port.postMessage({ id: request.id, ok: false, error: describe(error) } satisfies ScanReply),
    );
  });
}

function describe(error: unknown): { name: string; message: string; code?: string } {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === "string" ? { name: error.name, message: error.message, code } : { name: error.name, message: error.message };
}
