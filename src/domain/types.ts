/**
 * Contracts shared by the scanner, the rules, the reports and the GitHub side.
 * `Finding` is the public shape `keywarden scan --format json` prints (README.md, "keywarden scan"),
 * with a few extra fields that the renderers need so they never have to read the repository again.
 */

export type Severity = "HIGH" | "MEDIUM" | "LOW" | "INFO";

/** Severity order, most severe first; used for sorting and for `--fail-on` / `minSeverity`. */
export const SEVERITY_RANK: Record<Severity, number> = { HIGH: 3, MEDIUM: 2, LOW: 1, INFO: 0 };

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  /** POSIX path relative to the scanned root. */
  file: string;
  /** 1-based line the rule reports (see the rule table in design.md). */
  line: number;
  /**
   * Terraform address, e.g. `aws_iam_access_key.deploy` in a root module (the file says where), or
   * `module.break_glass.aws_iam_access_key.this` for a resource reached through local module calls.
   */
  resource: string;
  message: string;
  remediation: string;
  /**
   * Stable across scans: depends on rule, file and resource address, never on the line (through
   * module calls, the address is prefixed by the root module's directory: `envs/prod//module.x...`).
   */
  fingerprint: string;
  /** 1-based inclusive line range of the whole resource block, for permalinks and snippets. */
  block: { startLine: number; endLine: number };
  /** Source text of the resource block (capped), exactly as in the file, LF line endings. */
  snippet: string;
  /** The concrete fix as a unified diff of the resource block (`--- a/file` / `+++ b/file`). */
  fix: string;
  /** Set when a suppression comment covered this finding until its `exp:` date, now past (that date). */
  exceptionExpired?: string;
  /**
   * Set when the resource was reached through local module calls: the module path from the root
   * module (`module.a.module.b`), and each call with its file and line, outermost first.
   */
  modulePath?: string;
  moduleCalls?: { name: string; file: string; line: number }[];
}

export interface Suppression {
  /** `keywarden`, `kics` or `dd-iac-scan`: which comment syntax suppressed it. */
  source: "keywarden" | "kics" | "dd-iac-scan";
  /** Line of the suppressing comment. */
  line: number;
  /** Reason text given in the comment, or "" when none was given. */
  reason: string;
  /** The comment text itself, trimmed, for citing it. */
  comment: string;
  /** The comment gives no reason (an exception nobody explained). */
  reasonMissing?: boolean;
  /** `exp:YYYY-MM-DD` of the comment: the exception ends at 00:00 UTC that day (as in Trivy). */
  expires?: string;
}

export interface SuppressedFinding extends Finding {
  suppression: Suppression;
}

export interface ScanError {
  /** POSIX path relative to the scanned root ("." for the root itself). */
  file: string;
  message: string;
}

export interface SkippedFile {
  file: string;
  reason: "too-large" | "binary" | "symlink" | "not-utf8" | "unreadable" | "ignored";
  detail?: string;
}

export interface ScanStats {
  /** Terraform files discovered (after ignore rules). */
  filesDiscovered: number;
  /** Files that passed the text pre-check and were parsed. */
  filesParsed: number;
  /** Bytes read from disk. */
  bytesRead: number;
  /** Module directories visited. */
  modules: number;
  /** Module calls not followed: remote sources (registry, git, http, ...), or a local source outside the scanned root or with no Terraform files. */
  modulesNotFollowed?: number;
  skipped: SkippedFile[];
}

export interface ScanResult {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  errors: ScanError[];
  stats: ScanStats;
}

export interface ScanOptions {
  /** Only these rule ids (default: every rule in the registry). */
  ruleIds?: readonly string[];
  /** Glob patterns (picomatch, POSIX, relative to the root) of paths to leave out. */
  ignorePaths?: readonly string[];
  /** Files larger than this are skipped and reported (default 1 MiB). */
  maxFileBytes?: number;
  /** The clock `exp:` dates of suppression comments are compared with (default: now). */
  now?: Date;
}
