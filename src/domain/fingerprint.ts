import { createHash } from "node:crypto";

/** Stable identity of a finding: rule, file and resource address, never the line. */
export function fingerprint(ruleId: string, file: string, resource: string): string {
  return createHash("sha256").update(`${ruleId}\n${file}\n${resource}`).digest("hex").slice(0, 32);
}
