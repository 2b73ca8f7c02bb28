/**
 * Pull requests as GitHub keeps them, for the scans Keywarden runs on them:
 * - a pull request is opened from a branch of the same repository or of a fork (a repository of
 *   another owner that the installation does not cover); its number comes from the issues'
 *   sequence, as on GitHub;
 * - GitHub's `refs/pull/N/head` is written in the BASE repository's git directory when it opens and
 *   moved on every push to it (a fork's commits are fetched into the base repository), so a clone
 *   of the base repository with the installation's token fetches the head without any access to
 *   the fork;
 * - the changed files are real `git diff` output between the merge base and the head (GitHub's
 *   three-dot diff), with status (added/modified/removed/renamed), additions, deletions, changes
 *   and `patch` (the hunks only, from the first `@@`), omitted for binary files and for a patch
 *   over the size limit, as GitHub omits it for a diff too large to show. GitHub lists at most
 *   3,000 files; both limits can be set per test.
 *
 * Replies are GitHub's shapes: the published `pull-request` and `diff-entry-items` examples with
 * the real numbers, refs and SHAs put in.
 */
import { git, resolveRef } from "./repos.js";
import { localExample, repositoryJson, userJson, type Json, type RepoFacts, type Site } from "./shapes.js";

export interface StoredPull {
  id: number;
  number: number;
  nodeId: string;
  title: string;
  body: string | null;
  state: "open" | "closed";
  draft: boolean;
  /** Branch of the base repository the pull request merges into. */
  baseRef: string;
  /** Branch of the head repository (the base repository itself, or a fork). */
  headRef: string;
  /** The head repository's name and owner (`fork` true when it is not the base repository). */
  headRepo: { owner: string; name: string; fork: boolean };
  /** The head commit, as `refs/pull/N/head` in the base repository. */
  headSha: string;
  /** The base branch's commit when the head last moved. */
  baseSha: string;
  /** Login of whoever opened it. */
  author: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Every head the pull request had, oldest first (the synchronize events' before/after). */
  heads: string[];
}

/** Settable per test; GitHub's figures by default. */
export interface PullLimits {
  /** Files `GET .../pulls/{n}/files` lists at most (GitHub: 3,000). */
  maxListedFiles: number;
  /** A file whose patch is longer than this (characters) is listed without `patch`. */
  maxPatchLength: number;
}

export const DEFAULT_PULL_LIMITS: PullLimits = { maxListedFiles: 3000, maxPatchLength: 1_000_000 };

export interface DiffEntry {
  filename: string;
  previousFilename?: string;
  status: "added" | "modified" | "removed" | "renamed" | "changed";
  /** Blob of the file in the head commit (in the base commit for a removed file). */
  sha: string;
  additions: number;
  deletions: number;
  patch?: string;
}

export interface PullDiff {
  mergeBase: string;
  files: DiffEntry[];
  additions: number;
  deletions: number;
  /** Commits on the head since the merge base. */
  commits: number;
}

const STATUS: Record<string, DiffEntry["status"]> = { A: "added", M: "modified", D: "removed", R: "renamed", C: "added", T: "changed" };

/** `git diff --raw -z` records: `:old new oldsha newsha S\0path\0[path2\0]`. */
function parseRaw(text: string): { status: string; oldSha: string; newSha: string; path: string; previous?: string }[] {
  const parts = text.split("\0");
  const out: { status: string; oldSha: string; newSha: string; path: string; previous?: string }[] = [];
  for (let i = 0; i < parts.length; i++) {
    const meta = parts[i]!;
    if (!meta.startsWith(":")) continue;
    const [, , oldSha, newSha, status] = meta.slice(1).split(" ") as [string, string, string, string, string];
    const letter = status[0]!;
    if (letter === "R" || letter === "C") {
      out.push({ status: letter, oldSha, newSha, previous: parts[i + 1]!, path: parts[i + 2]! });
      i += 2;
    } else {
      out.push({ status: letter, oldSha, newSha, path: parts[i + 1]! });
      i += 1;
    }
  }
  return out;
}

/** `git diff --numstat -z` records, in the same order as --raw: additions/deletions ("-" for binary). */
function parseNumstat(text: string): { additions: number; deletions: number; binary: boolean }[] {
  const parts = text.split("\0");
  const out: { additions: number; deletions: number; binary: boolean }[] = [];
  for (let i = 0; i < parts.length; i++) {
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(parts[i]!);
    if (!match) continue;
    out.push({ additions: match[1] === "-" ? 0 : Number(match[1]), deletions: match[2] === "-" ? 0 : Number(match[2]), binary: match[1] === "-" });
    // A rename's record is `A\tD\t` followed by the two paths as separate fields.
    if (match[3] === "") i += 2;
  }
  return out;
}

/** The per-file sections of `git diff -p`, each from its `diff --git` line. */
function splitPatch(text: string): string[] {
  return text.split(/^(?=diff --git )/m).filter((s) => s.startsWith("diff --git "));
}

/** GitHub's `patch`: the hunks of one file, without the headers, without the final newline. */
function hunksOf(section: string): string | undefined {
  const at = section.search(/^@@ /m);
  if (at < 0) return undefined;
  return section.slice(at).replace(/\n$/, "");
}

/** The pull request's changes: `git diff` between the merge base of base and head, and the head. */
export async function pullDiff(bare: string, baseRef: string, headSha: string, limits: PullLimits): Promise<PullDiff> {
  const baseSha = await resolveRef(bare, `refs/heads/${baseRef}`);
  if (!baseSha) throw new Error(`base branch ${baseRef} does not exist`);
  const mergeBase = (await git(["--git-dir", bare, "merge-base", baseSha, headSha])).trim();
  const common = ["--git-dir", bare, "diff", "-M", "--no-color", "--no-ext-diff", "--no-textconv", mergeBase, headSha];
  const [raw, numstat, patch, count] = await Promise.all([
    git([...common.slice(0, 3), "--raw", "-z", "--no-abbrev", ...common.slice(3)]),
    git([...common.slice(0, 3), "--numstat", "-z", ...common.slice(3)]),
    git([...common.slice(0, 3), "-p", ...common.slice(3)]),
    git(["--git-dir", bare, "rev-list", "--count", `${mergeBase}..${headSha}`]),
  ]);
  const entries = parseRaw(raw);
  const stats = parseNumstat(numstat);
  const sections = splitPatch(patch);
  const files = entries.map((entry, i): DiffEntry => {
    const stat = stats[i] ?? { additions: 0, deletions: 0, binary: false };
    const hunks = stat.binary ? undefined : hunksOf(sections[i] ?? "");
    return {
      filename: entry.path,
      ...(entry.previous !== undefined && entry.status === "R" ? { previousFilename: entry.previous } : {}),
      status: STATUS[entry.status] ?? "modified",
      sha: entry.status === "D" ? entry.oldSha : entry.newSha,
      additions: stat.additions,
      deletions: stat.deletions,
      ...(hunks !== undefined && hunks.length <= limits.maxPatchLength ? { patch: hunks } : {}),
    };
  });
  return {
    mergeBase,
    files,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    commits: Number(count.trim()),
  };
}

/** One entry of `GET /repos/{o}/{r}/pulls/{n}/files`. */
export function diffEntryJson(entry: DiffEntry, site: Site, fullName: string, headSha: string): Json {
  const base = localExample("diff-entry-items", site)[0];
  const path = entry.filename.split("/").map(encodeURIComponent).join("/");
  const json: Json = {
    ...base,
    sha: entry.sha,
    filename: entry.filename,
    status: entry.status,
    additions: entry.additions,
    deletions: entry.deletions,
    changes: entry.additions + entry.deletions,
    blob_url: `${site.web}/${fullName}/blob/${headSha}/${path}`,
    raw_url: `${site.web}/${fullName}/raw/${headSha}/${path}`,
    contents_url: `${site.api}/repos/${fullName}/contents/${path}?ref=${headSha}`,
  };
  if (entry.patch === undefined) delete json.patch;
  else json.patch = entry.patch;
  if (entry.previousFilename !== undefined) json.previous_filename = entry.previousFilename;
  return json;
}

export interface PullContext {
  site: Site;
  base: RepoFacts;
  head: RepoFacts;
  baseSha: string;
  diff: PullDiff;
  author: { login: string; id: number };
}

/** `GET /repos/{o}/{r}/pulls/{n}`: the published example with the pull request's facts. */
export function pullJson(pull: StoredPull, ctx: PullContext): Json {
  const { site, base, head } = ctx;
  const fullName = `${base.owner}/${base.name}`;
  const api = `${site.api}/repos/${fullName}`;
  const web = `${site.web}/${fullName}`;
  const example = localExample("pull-request", site, [["octocat/Hello-World", fullName]]);
  const user = userJson(ctx.author.login, ctx.author.id, site);
  const side = (repo: RepoFacts, ref: string, sha: string): Json => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: userJson(repo.owner, repo.ownerId, site, repo.ownerType),
    repo: repositoryJson(repo, site, "listed"),
  });
  return {
    ...example,
    url: `${api}/pulls/${pull.number}`,
    id: pull.id,
    node_id: pull.nodeId,
    html_url: `${web}/pull/${pull.number}`,
    diff_url: `${web}/pull/${pull.number}.diff`,
    patch_url: `${web}/pull/${pull.number}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${api}/pulls/${pull.number}/commits`,
    review_comments_url: `${api}/pulls/${pull.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user,
    body: pull.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(head, pull.headRef, pull.headSha),
    base: side(base, pull.baseRef, ctx.baseSha),
    _links: {
      self: { href: `${api}/pulls/${pull.number}` },
      html: { href: `${web}/pull/${pull.number}` },
      issue: { href: `${api}/issues/${pull.number}` },
      comments: { href: `${api}/issues/${pull.number}/comments` },
      review_comments: { href: `${api}/pulls/${pull.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${pull.number}/commits` },
      statuses: { href: `${api}/statuses/${pull.headSha}` },
    },
    author_association: head.fork ? "CONTRIBUTOR" : "MEMBER",
    auto_merge: null,
    draft: pull.draft,
    merged: false,
    // GitHub computes mergeability in the background; null is what a fresh pull request shows.
    mergeable: null,
    rebaseable: null,
    mergeable_state: "unknown",
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: head.fork,
    commits: ctx.diff.commits,
    additions: ctx.diff.additions,
    deletions: ctx.diff.deletions,
    changed_files: ctx.diff.files.length,
  };
}
