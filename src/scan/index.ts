/** What the rest of Keywarden uses of the scanner. */
export { scan, type ScanRunOptions } from "./scan.js";
export { createScanPool, scanInPool, scanPoolStats, stopScanPool, ScanPoolError } from "./scan-pool.js";
export type { ScanPool, ScanPoolOptions, ScanPoolStats } from "./scan-pool.js";
export { compareFindings } from "../domain/order.js";
export { createHclParser, parserHealth, stopHclParser } from "./hcl2json-adapter.js";
export type { HclParser, HclParserOptions, ParserHealth, ParserState } from "./hcl2json-adapter.js";
export { fingerprint } from "../domain/fingerprint.js";
export * from "../domain/types.js";
