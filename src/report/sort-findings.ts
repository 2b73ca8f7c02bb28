/** The one order every report uses (the scan's own), so two scans of the same tree print the same bytes. */
import type { Finding } from "../domain/types.js";
import { compareFindings } from "../domain/order.js";

/** Findings in reading order: by file, then line, then most severe first, then rule id. */
export function sortFindings<T extends Finding>(findings: readonly T[]): T[] {
  return [...findings].sort(compareFindings);
}
