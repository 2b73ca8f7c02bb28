/**
 * Compliance controls the rules evidence: an auditor asks "which control does this finding break?",
 * and the answer travels with the rule into issues, SARIF tags, JSON and the weekly summary.
 */
import type { Control } from "./types.js";

/** CIS's page for the benchmark (the PDF itself sits behind a free registration). */
export const CIS_AWS_BENCHMARK_URL = "https://www.cisecurity.org/benchmark/amazon_web_services";
/** AWS Security Hub's page of IAM controls, at IAM.4. */
export const SECURITY_HUB_IAM_CONTROLS_URL = "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4";

export const CIS_AWS_ROOT_ACCESS_KEY: Control = Object.freeze({
  framework: "CIS AWS Foundations Benchmark",
  id: "1.4",
  title: "Ensure no 'root' user account access key exists",
  versions: "v1.4.0 through v3.0.0",
  note: "numbered 1.12 in v1.2.0",
  url: CIS_AWS_BENCHMARK_URL,
});

export const FSBP_IAM_4: Control = Object.freeze({
  framework: "AWS Foundational Security Best Practices (AWS Security Hub)",
  id: "IAM.4",
  title: "IAM root user access key should not exist",
  url: SECURITY_HUB_IAM_CONTROLS_URL,
});

/** What a root-user access key breaks, for both rules. */
export const ROOT_ACCESS_KEY_CONTROLS: readonly Control[] = Object.freeze([CIS_AWS_ROOT_ACCESS_KEY, FSBP_IAM_4]);

const TAG_PREFIX: Record<string, string> = {
  [CIS_AWS_ROOT_ACCESS_KEY.framework]: "CIS-AWS",
  [FSBP_IAM_4.framework]: "AWS-FSBP",
};

/** A short tag for filters (SARIF `properties.tags`): `CIS-AWS-1.4`, `AWS-FSBP-IAM.4`. */
export function controlTag(control: Control): string {
  const prefix = TAG_PREFIX[control.framework] ?? control.framework.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${prefix}-${control.id}`;
}

/** `CIS AWS Foundations Benchmark 1.4`: the framework and the control's number. */
export function controlName(control: Control): string {
  return `${control.framework} ${control.id}`;
}

/** One key per control across rules (the same control evidenced by two rules is one control). */
export function controlKey(control: Control): string {
  return `${control.framework}\u0000${control.id}`;
}
