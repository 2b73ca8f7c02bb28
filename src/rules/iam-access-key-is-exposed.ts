import type { Rule } from "./rule.js";
import { ROOT_ACCESS_KEY_CONTROLS } from "./controls.js";
import { describeStatus, describeValue, keyStatus, userText } from "./access-key-values.js";
import { deactivateKeyFix } from "./deactivate-key-fix.js";
import { ACCESS_KEY_PROVIDER_DOCS_URL, ROOT_KEY_GUIDANCE_URL, rootKeyRemediation } from "./root-key-remediation.js";

/**
 * Fires on an `aws_iam_access_key` whose user is exactly "root" (any case: IAM user names are
 * case-insensitive) and whose status is absent or Active. Reported on the user line. Surrounding
 * whitespace is not part of the name (IAM names cannot hold any): a heredoc `root` ends in a newline.
 */
export const iamAccessKeyIsExposed: Rule = {
  meta: {
    id: "terraform-aws-iam-access-key-is-exposed",
    title: "IAM access key is exposed",
    severity: "MEDIUM",
    category: "Access Control",
    cwe: "CWE-200",
    provider: "AWS",
    platform: "Terraform",
    shortDescription: "An active IAM access key is declared for the user \"root\".",
    description:
      "Access keys should never be created or kept active for the root user. An active root key widens the attack surface " +
      "and exposes the most privileged credentials in the account to misuse, since root has unrestricted control over " +
      "the whole AWS environment. Keep every root access key disabled, and better, deleted.",
    docsUrl: "https://docs.datadoghq.com/security/code_security/iac_security/iac_rules/terraform-aws-iam-access-key-is-exposed/",
    providerDocsUrl: ACCESS_KEY_PROVIDER_DOCS_URL,
    guidanceUrl: ROOT_KEY_GUIDANCE_URL,
    controls: ROOT_ACCESS_KEY_CONTROLS,
  },
  aliases: ["7081f85c-b94d-40fd-8b45-a4f1cac75e46"],
  resourceType: "aws_iam_access_key",
  check(key) {
    const user = userText(key);
    const userAttr = key.attributes["user"];
    if (user === undefined || userAttr === undefined || user.trim().toLowerCase() !== "root") return undefined;
    const status = keyStatus(key);
    if (!status.active) return undefined;
    const statusPart = describeStatus(status);
    return {
      line: userAttr.line,
      message: `${key.address} declares an access key for user ${describeValue(user)} with ${statusPart}.`,
      remediation: rootKeyRemediation(key.address),
      fix: deactivateKeyFix(key),
    };
  },
};
