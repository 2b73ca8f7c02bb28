/**
 * Where a repository's finding issues go. Its own issues, normally. When its issues are disabled
 * (GitHub answers 410 to any issue write) and the configuration names `issues.repository`, the
 * central repository of that name in the same account, with the same lifecycle (the plan, the
 * markers: src/issues/plan-issues.ts). A central repository that cannot take them (missing, not in
 * the installation, archived, issues disabled too, writes refused) is a configuration to fix: one
 * warning line naming `issues.repository` per scan, the scan recorded with its issues not filed as
 * when issues are disabled, and nothing thrown (a retry would fail the same way).
 */
import type { KeywardenConfig } from "../config/repo-config.js";
import type { ApplyResult } from "./apply-plan/index.js";
import { describeFailure, type GitHubClient, type RepoRef } from "./requester.js";

/** The scanned repository, when its findings are filed elsewhere. */
export interface SourceRepository {
  /** GitHub's repository id: the issues' identity (a rename keeps it). */
  id: number;
  owner: string;
  repo: string;
}

/** What the scan job knows of the scanned repository (`GET /repos/{owner}/{repo}`). */
export interface ScannedRepository {
  /** Octokit's types allow a bigint; GitHub's ids fit a number. */
  id: number | bigint;
  name: string;
  owner: { login: string };
  has_issues: boolean;
}

export type IssueDestination =
  | { file: true; repo: RepoRef; source?: SourceRepository }
  | { file: false; reason: string };

export interface DestinationLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

const FIX = "Enable its issues, add it to the app's installation, or name another repository in `issues.repository` of the organization's .github/keywarden.yml.";

function unusable(central: RepoRef, source: ScannedRepository, why: string): string {
  return `issues.repository ${central.repo}: ${central.owner}/${central.repo} ${why}, so the findings of ${source.owner.login}/${source.name} (whose issues are disabled) are not filed. ${FIX}`;
}

/**
 * The destination of `repository`'s issues under `config`. Reads the central repository once (GitHub
 * answering 5xx is thrown, for the job to retry: "not filed" must mean "cannot be", not "did not try").
 */
export async function resolveIssueDestination(
  client: GitHubClient,
  repository: ScannedRepository,
  config: KeywardenConfig,
  log: DestinationLogger,
): Promise<IssueDestination> {
  const owner = repository.owner.login;
  if (repository.has_issues) return { file: true, repo: { owner, repo: repository.name } };
  const name = config.issues.repository;
  if (name === undefined) return { file: false, reason: "issues are disabled" };
  // Always the scanned repository's own account: the configuration cannot send findings elsewhere.
  const central = { owner, repo: name };
  const refuse = (why: string): IssueDestination => {
    const reason = unusable(central, repository, why);
    log.warn({ repository: `${owner}/${repository.name}`, key: "issues.repository", central: `${owner}/${name}` }, reason);
    return { file: false, reason };
  };
  let facts: { archived?: boolean; has_issues?: boolean };
  try {
    ({ data: facts } = await client.request("GET /repos/{owner}/{repo}", central));
  } catch (error) {
    const { status } = describeFailure(error);
    if (status === 404 || status === 403) return refuse("does not exist or the app's installation cannot see it");
    throw error;
  }
  if (facts.archived) return refuse("is archived (read-only)");
  if (facts.has_issues === false) return refuse("has issues disabled too");
  return { file: true, repo: central, source: { id: Number(repository.id), owner, repo: repository.name } };
}

/**
 * Why the central repository refused the plan's writes (403: the installation may not write there,
 * 404: not visible to it, 410: issues disabled since), or undefined when it took them (other
 * failures, such as 5xx, are for the job's retry).
 */
export function centralRefusal(result: ApplyResult, central: RepoRef, source: SourceRepository): string | undefined {
  const scanned: ScannedRepository = { id: source.id, name: source.repo, owner: { login: source.owner }, has_issues: false };
  if (result.issuesDisabled) return unusable(central, scanned, "has issues disabled");
  if (result.errors.length === 0 || !result.errors.every((e) => e.status === 403 || e.status === 404)) return undefined;
  return unusable(central, scanned, `refused the app's issue writes (GitHub answered ${result.errors[0]!.status}: ${result.errors[0]!.message})`);
}
