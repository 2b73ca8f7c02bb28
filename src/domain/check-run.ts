/**
 * The shapes a `Keywarden` check run is built from and published as. The report layer renders a
 * scan into a CheckRunOutput (src/report/check-run.ts); the GitHub layer publishes it, splitting the
 * annotations into requests of at most 50 (GitHub's limit per request; later requests append).
 */

/** Lines of the new version of each changed file that a pull request adds or changes. */
export interface ChangedLines {
  /** Path in the head commit → its added/changed line numbers (1-based), or "all" when unknown (no patch). */
  files: Map<string, ReadonlySet<number> | "all">;
  /**
   * False when GitHub listed fewer files than the pull request changes (it lists at most 3,000):
   * a finding in a file not listed may be new, so it is treated as changed.
   */
  complete: boolean;
}

/** GitHub's check-run annotation (`output.annotations[]`). */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
  raw_details?: string;
}

export interface CheckRunOutput {
  /** The renderer gives success or failure; `neutral` marks a run superseded by a newer head. */
  conclusion: "success" | "failure" | "neutral";
  /** `output.title`: one line. */
  title: string;
  /** `output.summary`: Markdown, at most 65,535 characters. */
  summary: string;
  /** `output.text`: Markdown details (fix diffs), at most 65,535 characters. */
  text?: string;
  /** Already capped; the publisher sends them 50 per request. */
  annotations: CheckAnnotation[];
}
