import type { RuleMeta } from "./types.js";

/**
 * The evaluated form of one `aws_iam_access_key` resource, as the scanner hands it to the rules.
 * Rules stay pure: everything they need (values, lines, the block's text) is in here.
 */
export interface EvaluatedAttribute {
  /** 1-based line of the attribute's name. */
  line: number;
  /** 1-based last line of its value (a heredoc or a bracketed expression can span lines). */
  endLine?: number;
  /** 0-based column of the name in its line (Terraform JSON, where one line may hold many attributes). */
  column?: number;
  /**
   * The value after evaluation. A reference that could not be resolved keeps its source text
   * (e.g. `"aws_iam_user.root.name"`), as KICS does.
   */
  value: unknown;
  /** False when the value (or a part of it) is a reference that could not be resolved. */
  resolved: boolean;
}

export interface EvaluatedAccessKey {
  /** POSIX path relative to the scanned root. */
  file: string;
  /** Terraform address, e.g. `aws_iam_access_key.deploy`. */
  address: string;
  /** Which syntax the block is written in: the fix is written in the same syntax. */
  syntax: "hcl" | "json";
  /** Line of the `resource` header (HCL) or of the resource's name key (JSON). */
  headerLine: number;
  block: { startLine: number; endLine: number };
  /** The block's source lines (startLine..endLine), without line endings. */
  blockLines: readonly string[];
  /** Just after the body's opening brace (Terraform JSON): where a fix adds an attribute. */
  bodyOpen?: { line: number; column: number };
  attributes: Readonly<Record<string, EvaluatedAttribute | undefined>>;
}

/** What a rule reports about one resource; the scanner adds file, fingerprint, snippet. */
export interface RuleHit {
  line: number;
  message: string;
  remediation: string;
  fix: string;
}

export interface Rule {
  meta: RuleMeta;
  /** Other ids that suppression comments may use for this rule (e.g. the KICS query id). */
  aliases: readonly string[];
  /** Terraform resource type the rule inspects. */
  resourceType: "aws_iam_access_key";
  /** Pure: the same resource always gives the same answer. */
  check(resource: EvaluatedAccessKey): RuleHit | undefined;
}
