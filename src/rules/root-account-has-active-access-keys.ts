import type { Rule } from "./rule.js";
import { ROOT_ACCESS_KEY_CONTROLS } from "./controls.js";
import { describeStatus, describeValue, keyStatus, userText } from "./access-key-values.js";
import { deactivateKeyFix } from "./deactivate-key-fix.js";
import { ACCESS_KEY_PROVIDER_DOCS_URL, ROOT_KEY_GUIDANCE_URL, rootKeyRemediation } from "./root-key-remediation.js";

/**
 * Fires on an `aws_iam_access_key` whose user, lower-cased, contains "root" and whose status is
 * absent or Active. Reported on the header line when status is absent, else on the status line.
 */
export const rootAccountHasActiveAccessKeys: Rule = {
  meta: {
    id: "terraform-aws-root-account-has-active-access-keys",
    title: "Root account has active access keys",
    severity: "HIGH",
    category: "Insecure Configurations",
    cwe: "CWE-710",
    provider: "AWS",
    platform: "Terraform",
    shortDescription: "An active access key is declared for the AWS root account.",
    description:
      "The AWS root account has unrestricted access to every resource in the account, which makes it a high-value target. " +
      "An active access key for it means a single leaked secret gives an attacker complete control of the account. " +
      "Use IAM roles or IAM users with least privilege for programmatic access, and keep root without access keys.",
    docsUrl: "https://docs.datadoghq.com/security/code_security/iac_security/iac_rules/terraform-aws-root-account-has-active-access-keys/",
    providerDocsUrl: ACCESS_KEY_PROVIDER_DOCS_URL,
    guidanceUrl: ROOT_KEY_GUIDANCE_URL,
    controls: ROOT_ACCESS_KEY_CONTROLS,
  },
  aliases: ["970d224d-b42a-416b-81f9-8f4dfe70c4bc"],
  resourceType: "aws_iam_access_key",
  check(key) {
    const user = userText(key);
    if (user === undefined || !user.toLowerCase().includes("root")) return undefined;
    const status = keyStatus(key);
    if (!status.active) return undefined;
    const statusPart = describeStatus(status);
    return {
      line: status.present ? status.present.line : key.headerLine,
      message: `${key.address} declares an access key for user ${describeValue(user)} (a root account) with ${statusPart}.`,
      remediation: rootKeyRemediation(key.address),
      fix: deactivateKeyFix(key),
    };
  },
};
