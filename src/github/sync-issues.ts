/**
 * One repository's issues brought in line with one scan: list what the app filed, plan, apply. The
 * thin shell the scan job (and tests) call; every decision is in src/issues/plan-issues.ts, the
 * I/O in the issues gateway (./issues-gateway/).
 */
import type { Finding, SuppressedFinding } from "../domain/types.js";
import type { KeywardenConfig } from "../config/repo-config.js";
import { applyPlan, type ApplyOptions, type ApplyResult } from "./apply-plan/index.js";
import { listFindingIssues } from "./issues-gateway/index.js";
import { planIssues, type IssuePlan } from "../issues/plan-issues.js";
import { readCodeowners } from "./read-codeowners.js";

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
}

export async function syncIssues(input: SyncIssuesInput): Promise<{ plan: IssuePlan; result: ApplyResult }> {
  // With nothing to file no duplicate is possible, so a big repository's full listing can be skipped.
  const existing = await listFindingIssues(input.octokit, input.repo, input.botLogin, {
    state: "all",
    sort: "created",
    direction: "asc",
    fallback: input.findings.length > 0,
  });
  // Read only when asked for: most configurations never need it.
  const codeowners = input.config.codeowners ? await readCodeowners(input.octokit, input.repo, input.scannedCommit) : undefined;
  const plan = planIssues({
    findings: input.findings,
    suppressed: input.suppressed,
    existing,
    config: input.config,
    target: { serverUrl: input.serverUrl, owner: input.repo.owner, repo: input.repo.repo, commitSha: input.scannedCommit },
    scannedCommit: input.scannedCommit,
    unreadableFiles: input.unreadableFiles,
    codeowners,
    now: input.now ?? new Date(),
  });
  const result = await applyPlan(plan, input);
  return { plan, result };
}
