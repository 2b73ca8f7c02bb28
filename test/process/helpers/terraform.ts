/**
 * Terraform for the stand-in's repositories, from the seed examples (examples/ and its README):
 * root-account-has-active-access-keys/non-compliant-2 declares one root access key, `Active`, which
 * both rules report (2 findings per file); set `Inactive` it is compliant.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RULES, type Expected } from "./census.js";

export const NON_COMPLIANT = readFileSync(fileURLToPath(new URL("../../../examples/root-account-has-active-access-keys/non-compliant-2/main.tf", import.meta.url)), "utf8");
export const SEED_RESOURCE = "aws_iam_access_key.positive2";

if (!NON_COMPLIANT.includes('user    = "root"') || !NON_COMPLIANT.includes('status = "Active"')) {
  throw new Error("the seed example changed: update test/process/helpers/terraform.ts");
}

/** The same key, deactivated: no finding. */
export const FIXED = NON_COMPLIANT.replace('status = "Active"', 'status = "Inactive"');

/** The two findings of NON_COMPLIANT at `file` of `repo`. */
export function seedFindings(repo: string, file = "main.tf"): Expected[] {
  return [RULES.high, RULES.medium].map((ruleId) => ({ repo, file, resource: SEED_RESOURCE, ruleId }));
}
