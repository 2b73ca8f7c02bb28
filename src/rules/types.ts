import type { Severity } from "../domain/types.js";

/** A compliance control a rule evidences (a finding of the rule is a failure of the control). */
export interface Control {
  /** e.g. "CIS AWS Foundations Benchmark". */
  framework: string;
  /** The control's number in the framework, e.g. "1.4" or "IAM.4". */
  id: string;
  title: string;
  /** The framework versions where the control has this id, e.g. "v1.4.0 through v3.0.0". */
  versions?: string;
  /** e.g. where other versions number it differently. */
  note?: string;
  url: string;
}

/** What reports (text, SARIF, issue bodies, summaries) need to know about a rule. */
export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  /** e.g. "Access Control", from the seed page. */
  category: string;
  /** e.g. "CWE-798" (number as KICS lists it). */
  cwe: string;
  provider: "AWS";
  platform: "Terraform";
  /** One sentence: what is wrong. */
  shortDescription: string;
  /** A paragraph: why it matters. */
  description: string;
  /** The rule's own documentation page (Datadog IaC rule page). */
  docsUrl: string;
  /** Terraform provider reference for the resource. */
  providerDocsUrl: string;
  /** AWS guidance the remediation follows (root-user access keys). */
  guidanceUrl: string;
  /** Compliance controls a finding of this rule fails (src/rules/controls.ts). */
  controls: readonly Control[];
}
