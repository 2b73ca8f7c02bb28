/**
 * Which lines a pull request adds, from the `patch` of each file GitHub lists
 * (`GET /repos/{owner}/{repo}/pulls/{n}/files`). A patch is the unified diff's hunks without the
 * `---`/`+++` file headers: `@@ -a,b +c,d @@ context` lines, then `+`, `-` and ` ` lines, and
 * `\ No newline at end of file` after the line it qualifies.
 */
import type { ChangedLines } from "./check-run.js";

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/**
 * The new file's line numbers (1-based) that the patch adds. A changed line is a removed line and an
 * added one, so it is a `+` line too. `undefined` means GitHub sent no patch (a large or binary
 * diff): every line may be new, so "all".
 */
export function addedLines(patch: string | undefined): ReadonlySet<number> | "all" {
  if (patch === undefined) return "all";
  const added = new Set<number>();
  let line = 0;
  // New-side lines the current hunk still holds (its header's count). A content line always starts
  // with "+", "-", " " or "\\", so a line starting "@@" is always a hunk header; the count tells an
  // empty line inside a hunk (a context line whose space was lost) from trailing text after it.
  let remaining = 0;
  // Patches are split on LF only: a CRLF file's lines keep their "\r" as content, as git shows them.
  for (const text of patch.split("\n")) {
    const header = HUNK_HEADER.exec(text);
    if (header) {
      line = Number(header[1]);
      remaining = header[2] === undefined ? 1 : Number(header[2]);
      continue;
    }
    const kind = text[0];
    if (kind === "-" || kind === "\\") continue; // "\ No newline at end of file" takes no line
    if (remaining === 0) continue;
    if (kind === "+") added.add(line);
    line++;
    remaining--;
  }
  return added;
}

/** One entry of GitHub's pull-request files listing, as far as the changed lines need it. */
export interface PullRequestFile {
  filename: string;
  /** `added`, `removed`, `modified`, `renamed`, `copied`, `changed` or `unchanged`. */
  status: string;
  patch?: string;
  /** Added plus removed lines; a rename with 0 changes has no patch and adds nothing. */
  changes?: number;
}

/**
 * The changed lines of a pull request from its listed files. A removed file has no new lines and is
 * left out; a file renamed without changes, or listed as unchanged, adds no line (GitHub sends no
 * patch for it, which would otherwise read as "all"). `complete` is false when GitHub listed fewer
 * files than the pull request changes.
 */
export function changedLinesFrom(files: readonly PullRequestFile[], complete: boolean): ChangedLines {
  const map = new Map<string, ReadonlySet<number> | "all">();
  for (const file of files) {
    if (file.status === "removed") continue;
    const unchanged = file.status === "unchanged" || (file.status === "renamed" && file.changes === 0);
    map.set(file.filename, unchanged && file.patch === undefined ? new Set<number>() : addedLines(file.patch));
  }
  return { files: map, complete };
}
