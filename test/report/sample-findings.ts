/** Hand-built findings and rule metadata, shaped as the scanner and registry produce them. */
import type { RuleMeta } from "../../src/rules/types.js";
import { ROOT_ACCESS_KEY_CONTROLS } from "../../src/rules/controls.js";
import type { Finding, ScanResult, SuppressedFinding } from "../../src/domain/types.js";

export const ROOT_RULE: RuleMeta = {
  id: "terraform-aws-root-account-has-active-access-keys",
  title: "Root account has active access keys",
  severity: "HIGH",
  category: "Insecure Configurations",
  cwe: "CWE-798",
  provider: "AWS",
  platform: "Terraform",
  shortDescription: "An aws_iam_access_key for the root user is active.",
  description: "The root user has unrestricted access to the account; its keys should not exist.",
  docsUrl: "https://docs.datadoghq.com/security/code_security/iac_security/iac_rules/terraform/aws/root_account_has_active_access_keys/",
  providerDocsUrl: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_access_key",
  guidanceUrl: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html",
  controls: ROOT_ACCESS_KEY_CONTROLS,
};

export const EXPOSED_RULE: RuleMeta = {
  ...ROOT_RULE,
  id: "terraform-aws-iam-access-key-is-exposed",
  title: "IAM access key is exposed",
  severity: "MEDIUM",
  category: "Access Control",
  shortDescription: "An active IAM access key is declared for the user root.",
  docsUrl: "https://docs.datadoghq.com/security/code_security/iac_security/iac_rules/terraform/aws/iam_access_key_is_exposed/",
};

export const RULES = [ROOT_RULE, EXPOSED_RULE];

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: ROOT_RULE.id,
    severity: "HIGH",
    title: ROOT_RULE.title,
    file: "envs/prod/iam.tf",
    line: 2,
    resource: "aws_iam_access_key.deploy",
    message: 'aws_iam_access_key.deploy belongs to user "root" and its status is absent (Active).',
    remediation: 'Set status = "Inactive", or remove the key.',
    fingerprint: "0123456789abcdef0123456789abcdef",
    block: { startLine: 1, endLine: 3 },
    snippet: 'resource "aws_iam_access_key" "deploy" {\n  user = "root"\n}\n',
    fix: '--- a/envs/prod/iam.tf\n+++ b/envs/prod/iam.tf\n@@ -1,3 +1,4 @@\n resource "aws_iam_access_key" "deploy" {\n   user = "root"\n+  status = "Inactive"\n }\n',
    ...overrides,
  };
}

export function suppressed(overrides: Partial<SuppressedFinding> = {}): SuppressedFinding {
  return {
    ...finding({ file: "legacy/keys.tf", line: 5, resource: "aws_iam_access_key.old", fingerprint: "fedcba9876543210fedcba9876543210" }),
    suppression: {
      source: "keywarden",
      line: 4,
      reason: "break-glass key, rotated monthly",
      comment: "# keywarden:ignore terraform-aws-root-account-has-active-access-keys break-glass key, rotated monthly",
    },
    ...overrides,
  };
}

export function scanResult(overrides: Partial<ScanResult> = {}): ScanResult {
  return {
    findings: [
      finding({ ruleId: EXPOSED_RULE.id, severity: "MEDIUM", title: EXPOSED_RULE.title, line: 7, resource: "aws_iam_access_key.second", fingerprint: "11111111111111111111111111111111" }),
      finding(),
      finding({ file: "a.tf", line: 10, fingerprint: "22222222222222222222222222222222" }),
    ],
    suppressed: [suppressed()],
    errors: [{ file: "broken/main.tf", message: "Unclosed configuration block at line 3" }],
    stats: {
      filesDiscovered: 12,
      filesParsed: 4,
      bytesRead: 20480,
      modules: 5,
      skipped: [{ file: "huge/generated.tf", reason: "too-large", detail: "2.0 MiB > 1 MiB" }],
    },
    ...overrides,
  };
}
