/**
 * Tell a repository's owners, once, that their `.github/keywarden.yml` has invalid values. The
 * scan goes on with defaults for those keys; this issue names each key so the fix takes a minute.
 * "Once" is per distinct set of problems: the issue carries a hidden hash of them, and the same set
 * is never filed twice (found by listing the app's own issues, so losing Redis changes nothing).
 * Filed through the issues gateway: one write from the installation's budget, looked for by its
 * marker before a repeat.
 */
import { createHash } from "node:crypto";
import type { ConfigProblem } from "../config/repo-config.js";
import { configProblemsMarker, readConfigProblemsHash } from "../issues/marker.js";
import { inlineCode, neutralizeText } from "../issues/neutralize.js";
import { findRecentKeywardenIssue, keywardenIssues, WritePath, type WritePathOptions } from "./issues-gateway/index.js";
import type { RepoRef } from "./requester.js";

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
    configProblemsMarker(configProblemsHash(problems)),
  ].join("\n");
  return { title: "Keywarden: invalid configuration in .github/keywarden.yml", body };
}

export interface ReportConfigProblemsOptions extends WritePathOptions {
  repo: RepoRef;
  /** The app's bot login, `SLUG[bot]`. */
  botLogin: string;
}

/**
 * File the issue unless one for the same problems exists (any state). "deferred": the write budget
 * had nothing left; a later scan reports it.
 */
export async function reportConfigProblems(
  problems: readonly ConfigProblem[],
  configPath: string,
  options: ReportConfigProblemsOptions,
): Promise<"none" | "already-reported" | "deferred" | "created"> {
  if (problems.length === 0) return "none";
  const { client, repo, botLogin } = options;
  const hash = configProblemsHash(problems);
  const isReport = (issue: { body: string }) => readConfigProblemsHash(issue.body) === hash;
  // Every page, newest first: the report is often the app's oldest issue, behind a hundred newer findings.
  for await (const issue of keywardenIssues(client, repo, botLogin, { state: "all", sort: "created", direction: "desc", fallback: true })) {
    if (isReport(issue)) return "already-reported";
  }
  const filed = await new WritePath(options).within(1, (writes) =>
    writes.create(
      "POST /repos/{owner}/{repo}/issues",
      { owner: repo.owner, repo: repo.repo, ...renderConfigProblemsIssue(problems, configPath) },
      { read: () => true, find: async () => ((await findRecentKeywardenIssue(client, repo, botLogin, isReport)) ? true : undefined) },
    ),
  );
  return filed ? "created" : "deferred";
}
