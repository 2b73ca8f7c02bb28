/** AWS's own guidance on root-user access keys, which every remediation here follows. */
export const ROOT_KEY_GUIDANCE_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user_manage_keys";
export const ACCESS_KEY_PROVIDER_DOCS_URL =
  "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_access_key";

/** Remediation shared by both rules: why it matters, then what to do, step by step. */
export function rootKeyRemediation(address: string): string {
  return [
    `The root user can do anything in the AWS account, including closing it and changing billing; IAM policies cannot limit it. ` +
      `A long-lived access key for it turns any leak (a laptop, a CI log, Terraform state, which stores the secret) into a full account takeover.`,
    ``,
    `1. Deactivate the key now: set \`status = "Inactive"\` on \`${address}\` (see the fix) and apply, ` +
      `or deactivate it in the IAM console under the root user's Security credentials.`,
    `2. Find what still uses it (IAM credential report, CloudTrail events for the key id) and move that workload to an IAM role or a dedicated IAM user with least privilege, rotating to its new credentials.`,
    `3. Delete the key: remove the \`${address}\` resource and apply. Root should have no access keys at all.`,
    `4. Treat the old secret as exposed: it is in Terraform state; rotate anything derived from it and keep MFA on the root user.`,
    ``,
    `AWS guidance: ${ROOT_KEY_GUIDANCE_URL}`,
  ].join("\n");
}
