/**
 * Decide whether a push event warrants a scan. Pure: the webhook handler only enqueues what this
 * says yes to. A push is skipped when it cannot change the default branch's findings: another
 * branch, a tag, a deletion, or a payload that lists every changed file and none is Terraform (or
 * Keywarden's own configuration, which changes what is filed).
 */
import { CONFIG_PATH, isTerraformPath } from "../domain/terraform-files.js";

export interface PushPayloadLike {
  ref: string;
  before?: string;
  after?: string;
  created?: boolean;
  deleted?: boolean;
  forced?: boolean;
  commits?: { id?: string; added?: string[]; removed?: string[]; modified?: string[] }[] | null;
  head_commit?: { id?: string } | null;
  repository: { default_branch?: string; archived?: boolean };
}

export type PushDecision = { scan: true } | { scan: false; reason: string };

// GitHub lists at most 2048 commits in a push payload; at the cap we cannot know every file.
const MAX_LISTED_COMMITS = 2048;

/**
 * A file whose change can change what is filed: one the clone fetches and the scanner reads (the
 * definition in domain/terraform-files.ts, case-sensitive like Terraform), or the configuration
 * file Probot reads. Anything else (`MAIN.TF`, `.github/keywarden.yaml`) would start a scan that
 * never sees the file.
 */
export function isRelevantPath(path: string): boolean {
  return path === CONFIG_PATH || isTerraformPath(path);
}

export function decidePush(payload: PushPayloadLike): PushDecision {
  const defaultBranch = payload.repository.default_branch;
  if (!payload.ref.startsWith("refs/heads/")) return { scan: false, reason: "not a branch push" };
  if (!defaultBranch || payload.ref !== `refs/heads/${defaultBranch}`) {
    return { scan: false, reason: "not the default branch" };
  }
  if (payload.deleted) return { scan: false, reason: "branch deleted" };
  if (payload.repository.archived) return { scan: false, reason: "repository archived" };

  const commits = payload.commits ?? [];
  // A new or force-pushed branch, or an empty/full list, does not tell us every changed file.
  const listsEveryFile =
    !payload.created &&
    !payload.forced &&
    commits.length > 0 &&
    commits.length < MAX_LISTED_COMMITS &&
    commits.every((c) => Array.isArray(c.added) && Array.isArray(c.removed) && Array.isArray(c.modified));
  if (!listsEveryFile) return { scan: true };

  const touched = commits.some((c) => [...c.added!, ...c.removed!, ...c.modified!].some(isRelevantPath));
  return touched ? { scan: true } : { scan: false, reason: "no Terraform file changed" };
}
