/**
 * docs/check-run-example.md: the check run Keywarden would publish for a pull request that adds the
 * seed example `non-compliant-1/main.tf` while `non-compliant-2/main.tf` is already on the base
 * branch (with its issue). Rendered from a real scan of examples/root-account-has-active-access-keys,
 * so the page can never drift from the code: after changing the renderer, re-run
 * `npx vitest run test/report/check-run-example.test.ts -u` to rewrite it.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { changedLinesFrom } from "../../src/domain/changed-lines.js";
import { renderCheckRun } from "../../src/report/check-run.js";
import { scan } from "../../src/scan/index.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/root-account-has-active-access-keys", import.meta.url));
const ADDED = "non-compliant-1/main.tf";
const ON_BASE = "non-compliant-2/main.tf";

/** The patch GitHub lists for a file the pull request adds: every line a `+` line. */
function newFilePatch(content: string): string {
  const lines = content.replace(/\n$/, "").split("\n");
  return [`@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`)].join("\n");
}

it("renders the seed example's check run into docs/check-run-example.md", async () => {
  const result = await scan(EXAMPLE);
  const changed = changedLinesFrom(
    [{ filename: ADDED, status: "added", patch: newFilePatch(await readFile(`${EXAMPLE}/${ADDED}`, "utf8")) }],
    true,
  );
  const base = result.findings.filter((f) => f.file === ON_BASE);
  const out = renderCheckRun({
    findings: result.findings,
    suppressed: result.suppressed,
    minSeverity: "MEDIUM",
    changed,
    headSha: "4f6c1a2b9d0e8f7a6b5c4d3e2f1a0b9c8d7e6f5a",
    fileErrors: result.errors.length,
    issueUrls: new Map(base.map((f, i) => [f.fingerprint, `https://github.com/octo-org/infra/issues/${41 + i}`])),
  });
  expect(out.conclusion).toBe("failure");
  expect(out.annotations.map((a) => `${a.path}:${a.start_line} ${a.annotation_level}`)).toEqual([
    `${ADDED}:2 failure`,
    `${ADDED}:3 failure`,
  ]);
  expect(out.annotations[0]!.message).toMatch(/\n\nFix: Deactivate the key now: set `status = "Inactive"` on `aws_iam_access_key\.positive1`/);
  expect(out.annotations[0]!.raw_details).toContain('+  status = "Inactive"');
  const page = [
    "# Example: the `Keywarden` check run on a pull request",
    "",
    "A pull request adds `non-compliant-1/main.tf` (a root-user access key) to a repository where",
    "`non-compliant-2/main.tf` is already on the base branch, with `minSeverity: MEDIUM`. Rendered from",
    "a real scan of [`examples/root-account-has-active-access-keys`](../examples/root-account-has-active-access-keys)",
    "by `test/report/check-run-example.test.ts`.",
    "",
    `**Conclusion:** \`${out.conclusion}\` · **Title:** ${out.title}`,
    "",
    "**Annotations** (shown at the line in *Files changed*):",
    "",
    ...out.annotations.map((a) => `- \`${a.path}\` line ${a.start_line}, ${a.annotation_level}: ${a.title}`),
    "",
    "## Summary (`output.summary`)",
    "",
    out.summary,
    "",
    "## Details (`output.text`)",
    "",
    out.text ?? "",
    "",
  ].join("\n");
  await expect(page).toMatchFileSnapshot("../../docs/check-run-example.md");
});
