/**
 * Tell a repository's owners, once, that their `.github/keywarden.yml` has invalid values. The
 * scan goes on with defaults for those keys; this issue names each key so the fix takes a minute.
 * "Once" is per distinct set of problems: the issue carries a hidden hash of them, and the same set
 * is never filed twice (found by listing the app's own issues, so losing Redis changes nothing).
 */
import { createHash } from "node:crypto";
import type { ConfigProblem } from "../config/repo-config.js";
import { inlineCode, neutralizeText } from "../issues/neutralize.js";
import { botLogin } from "./list-issues.js";
import type { GitHubRequester, RepoRef } from "./requester.js";

const MARKER_RE = /<!-- keywarden:config-problems=([0-9a-f]{16}) -->/;
const PER_PAGE = 100;

export function configProblemsHash(problems: readonly ConfigProblem[]): string {
  const canonical = problems.map((p) => `${p.key}\n${p.message}`).sort().join("\n\n");
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

export function renderConfigProblemsIssue(problems: readonly ConfigProblem[], configPath: string): { title: string; body: string } {
  // A pipe ends a table cell even inside a code span, so escape it in both cells.
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const rows = problems.map((p) => `| ${cell(inlineCode(p.key))} | ${cell(neutralizeText(p.message))} |`);
  const body = [
    `Keywarden could not use some values of ${inlineCode(configPath)} (in this repository or the organization's \`.github\` repository). It used the defaults for these keys and went on scanning:`,
    "",
    "| key | problem |",
    "| --- | --- |",
    ...rows,
    "",
    "Fix the file and close this issue. The accepted keys and values are described in Keywarden's README, section \"Configuration file\".",
    "",
    `<!-- keywarden:config-problems=${configProblemsHash(problems)} -->`,
  ].join("\n");
  return { title: "Keywarden: invalid configuration in .github/keywarden.yml", body };
}

/** File the issue unless one for the same problems exists (any state). Returns what happened. */
export async function reportConfigProblems(
  octokit: GitHubRequester,
  repo: RepoRef,
  appSlug: string,
  problems: readonly ConfigProblem[],
  configPath: string,
): Promise<"none" | "already-reported" | "created"> {
  if (problems.length === 0) return "none";
  const hash = configProblemsHash(problems);
  // Every page: the report is often the app's oldest issue, behind a hundred newer findings.
  for (let page = 1; ; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues", {
      ...repo,
      state: "all",
      creator: botLogin(appSlug),
      sort: "created",
      direction: "desc",
      per_page: PER_PAGE,
      page,
    });
    const issues = Array.isArray(data) ? (data as { body?: string | null }[]) : [];
    if (issues.some((issue) => MARKER_RE.exec(issue.body ?? "")?.[1] === hash)) return "already-reported";
    if (issues.length < PER_PAGE) break;
  }
  await octokit.request("POST /repos/{owner}/{repo}/issues", { ...repo, ...renderConfigProblemsIssue(problems, configPath) });
  return "created";
}
