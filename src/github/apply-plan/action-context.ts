/** What one action of a plan is given: where, as whom, its reserved writes, and the recorder. */
import type { GitHubClient, RepoRef } from "../requester.js";
import type { Reservation } from "../issues-gateway/index.js";
import type { ApplyRecorder } from "./result.js";

export interface ActionContext {
  client: GitHubClient;
  repo: RepoRef;
  /** The app's bot login, `SLUG[bot]`. */
  login: string;
  /** The writes reserved for this action (see writeCost). */
  writes: Reservation;
  record: ApplyRecorder;
}

/** Parameters naming the repository, for a request. */
export function where(repo: RepoRef): { owner: string; repo: string } {
  return { owner: repo.owner, repo: repo.repo };
}
