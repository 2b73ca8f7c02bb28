/** Findings shaped as the scanner reports them, for the issue tests. */
import type { Finding, SuppressedFinding } from "../../src/domain/types.js";

export const ROOT_KEYS = "terraform-aws-root-account-has-active-access-keys";
export const KEY_EXPOSED = "terraform-aws-iam-access-key-is-exposed";

export function finding(overrides: Partial<Finding> & { fingerprint: string }): Finding {
  const file = overrides.file ?? "envs/prod/iam.tf";
  const resource = overrides.resource ?? "aws_iam_access_key.root";
  const ruleId = overrides.ruleId ?? ROOT_KEYS;
  const high = ruleId === ROOT_KEYS;
  return {
    ruleId,
    severity: high ? "HIGH" : "MEDIUM",
    title: high ? "Root account has active access keys" : "IAM access key is exposed",
    file,
    line: 3,
    resource,
    message: `${resource} creates an active access key for the root user.`,
    remediation: "Remove the access key, or set `status = \"Inactive\"` while you migrate.",
    block: { startLine: 1, endLine: 4 },
    snippet: `resource "aws_iam_access_key" "root" {\n  user = "root"\n  status = "Active"\n}\n`,
    fix: `--- a/${file}\n+++ b/${file}\n@@ -1,4 +1,4 @@\n resource "aws_iam_access_key" "root" {\n   user = "root"\n-  status = "Active"\n+  status = "Inactive"\n }\n`,
    ...overrides,
  };
}

export function suppressed(f: Finding, reason = "break-glass key, reviewed"): SuppressedFinding {
  return {
    ...f,
    suppression: { source: "keywarden", line: f.block.startLine - 1, reason, comment: `# keywarden:ignore ${f.ruleId} ${reason}` },
  };
}

export const SHA1 = "1111111111111111111111111111111111111111";
export const SHA2 = "2222222222222222222222222222222222222222";
export const SHA3 = "3333333333333333333333333333333333333333";
