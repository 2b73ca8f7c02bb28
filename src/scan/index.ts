/** What the rest of Keywarden uses of the scanner. */
export { scan } from "./scan.js";
export { compareFindings } from "./order.js";
export { stopHclParser } from "./hcl2json-adapter.js";
export { fingerprint } from "./fingerprint.js";
export * from "./types.js";
