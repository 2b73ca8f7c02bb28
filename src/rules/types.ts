import type { Severity } from "../domain/types.js";

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
}
