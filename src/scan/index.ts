/** What the rest of Keywarden uses of the scanner. */
export { scan } from "./scan.js";
export { compareFindings } from "../domain/order.js";
export { stopHclParser } from "./hcl2json-adapter.js";
export { fingerprint } from "../domain/fingerprint.js";
export * from "../domain/types.js";
