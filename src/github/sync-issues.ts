/**
 * One repository's issues brought in line with one scan: list what the app filed, plan, apply. The
 * thin shell the scan job (and tests) call; every decision is in src/issues/plan-issues.ts, the
 * I/O in the issues gateway (./issues-gateway/). Filed centrally (`source`), the issues live in
 * `repo` (the central repository) while permalinks, commit links and CODEOWNERS are the source's.
 */
import type { Finding, SuppressedFinding } from "../domain/types.js";
import type { KeywardenConfig } from "../config/repo-config.js";
import { applyPlan, type ApplyOptions, type ApplyResult } from "./apply-plan/index.js";
import { listFindingIssues } from "./issues-gateway/index.js";
import { planIssues, type IssuePlan } from "../issues/plan-issues.js";
import { readCodeowners } from "./read-codeowners.js";
import { centralRefusal, type SourceRepository } from "./issue-destination.js";

export interface SyncIssuesInput extends ApplyOptions {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  config: KeywardenConfig;
  /** `https://github.com`, or the GitHub Enterprise Server's web URL. */
  serverUrl: string;
  scannedCommit: string;
  /** Files the scan could not read or parse (see PlanInput.unreadableFiles). */
  unreadableFiles?: readonly string[];
  /** The scan's time: new issues' SLA due dates count from it (default: now). */
  now?: Date;
  /** Filing in a central repository (`repo`): the scanned repository, whose issues are disabled. */
  source?: SourceRepository;
  /** The repository's `open_issues_count` as GitHub reported it (issues and pull requests together), when known. */
  openIssuesCount?: number;
}

export async function syncIssues(input: SyncIssuesInput): Promise<{ plan: IssuePlan; result: ApplyResult }> {
  const { source } = input;
  const code = source ? { owner: source.owner, repo: source.repo } : input.repo;
  // Findings the plan may file, reopen, close or annotate; without them it touches open issues only.
  const anyFinding = input.findings.length > 0 || input.suppressed.length > 0;
  // No finding and not one open issue of any author in the repository itself: the plan is empty
  // whatever closed issues exist, so the listing is skipped. Filed centrally, the count is the
  // source's, not the central repository's: always listed. Without findings no duplicate is
  // possible, so the unfiltered fallback listing is skipped too.
  const nothingCanChange = !anyFinding && input.openIssuesCount === 0 && !source;
  const existing = nothingCanChange
    ? []
    : await listFindingIssues(input.octokit, input.repo, input.botLogin, { state: "all", sort: "created", direction: "asc", fallback: input.findings.length > 0 });
  // Read only when asked for (most configurations never need it) and when a finding could use it.
  const codeowners = input.config.codeowners && anyFinding ? await readCodeowners(input.octokit, code, input.scannedCommit) : undefined;
  const plan = planIssues({
    findings: input.findings,
    suppressed: input.suppressed,
    existing,
    config: input.config,
    target: { serverUrl: input.serverUrl, owner: code.owner, repo: code.repo, commitSha: input.scannedCommit },
    ...(source ? { source: { id: source.id, fullName: `${source.owner}/${source.repo}` } } : {}),
    scannedCommit: input.scannedCommit,
    unreadableFiles: input.unreadableFiles,
    codeowners,
    now: input.now ?? new Date(),
  });
  const result = await applyPlan(plan, input);
  if (!source) return { plan, result };
  // A central repository that refuses the app's writes is a configuration to fix, not a failure to
  // retry: say so once, naming the key, and record the issues as not filed (as with issues disabled).
  const refusal = centralRefusal(result, input.repo, source);
  if (!refusal) return { plan, result };
  input.logger?.warn?.({ repository: `${source.owner}/${source.repo}`, key: "issues.repository", central: `${input.repo.owner}/${input.repo.repo}` }, refusal);
  return { plan, result: { ...result, errors: [], issuesDisabled: true } };
}
