/**
 * GitHub's reply shapes for the stand-in. Every object starts from the example GitHub publishes for
 * the operation (`example()` and the builders of test/helpers/github-nock.ts, reused, not copied),
 * and then every URL in it is moved to the stand-in's origin, so nothing Keywarden reads points at
 * github.com: a GitHub Enterprise Server at `http://127.0.0.1:PORT` answers with its own URLs.
 *
 * `localize` rewrites only the example's template strings; callers put user-controlled text (titles,
 * bodies) in afterwards, so a body that mentions github.com is returned as written.
 */
import { botUser, errorReply, example, personUser } from "../helpers/github-nock.js";

 
export type Json = any;

export interface Site {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `http://127.0.0.1:PORT/api/v3` */
  api: string;
  /** The web origin (same as `origin` on GitHub Enterprise Server). */
  web: string;
}

export function siteFor(origin: string): Site {
  return { origin, api: `${origin}/api/v3`, web: origin };
}

/** Deep copy of `value` with github.com URLs moved to `site`, and `renames` ([from, to]) applied. */
export function localize<T>(value: T, site: Site, renames: [string, string][] = []): T {
  const rewrite = (text: string): string => {
    let out = text;
    for (const [from, to] of renames) out = out.split(from).join(to);
    return out
      .replace(/^https:\/\/api\.github\.com/, site.api)
      .replace(/^https:\/\/uploads\.github\.com/, `${site.origin}/api/uploads`)
      .replace(/^https:\/\/github\.com/, site.web);
  };
  const walk = (v: Json): Json => {
    if (typeof v === "string") return rewrite(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

/** A published example with its URLs at the stand-in. */
export function localExample(name: string, site: Site, renames: [string, string][] = []): Json {
  return localize(example(name), site, renames);
}

/** GitHub timestamps have no milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function userJson(login: string, id: number, site: Site, type: "User" | "Organization" = "User"): Json {
  const user = localize(personUser(login, id, site.api, site.web, type), site, [["/users/octocat", `/users/${encodeURIComponent(login)}`]]);
  return { ...user, html_url: `${site.web}/${encodeURIComponent(login)}`, node_id: `U_kgDO${id}` };
}

/** The app's bot user, `SLUG[bot]` of type Bot, author of everything written with its tokens. */
export function botJson(appSlug: string, id: number, site: Site): Json {
  const bot = localize(botUser(appSlug, id, site.api, site.web), site, [["/users/octocat", `/users/${encodeURIComponent(`${appSlug}[bot]`)}`]]);
  return { ...bot, html_url: `${site.web}/apps/${appSlug}`, node_id: `BOT_kgDO${id}` };
}

/** GitHub's basic-error body (`{message, documentation_url, status}`). */
export function errorJson(status: number, message: string): Json {
  return errorReply(status, message);
}

/** GitHub's validation-error body (422). */
export function validationJson(resource: string, code: string, field?: string): Json {
  return {
    message: "Validation Failed",
    errors: [{ resource, code, ...(field ? { field } : {}) }],
    documentation_url: "https://docs.github.com/rest",
    status: "422",
  };
}

export interface RepoFacts {
  id: number;
  nodeId: string;
  owner: string;
  ownerId: number;
  ownerType: "Organization" | "User";
  name: string;
  private: boolean;
  archived: boolean;
  fork: boolean;
  hasIssues: boolean;
  defaultBranch: string;
  createdAt: string;
  pushedAt: string | null;
  openIssues: number;
}

const EXAMPLE_FULL_NAME = "octocat/Hello-World";

/** `GET /repos/{o}/{r}` ("full") or one entry of `GET /installation/repositories` ("listed"). */
export function repositoryJson(repo: RepoFacts, site: Site, shape: "full" | "listed"): Json {
  const fullName = `${repo.owner}/${repo.name}`;
  const base =
    shape === "full"
      ? localExample("full-repository-default-response", site, [[EXAMPLE_FULL_NAME, fullName]])
      : localize(example("repository-paginated-2").repositories[0], site, [[EXAMPLE_FULL_NAME, fullName]]);
  const json: Json = {
    ...base,
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: fullName,
    owner: userJson(repo.owner, repo.ownerId, site, repo.ownerType),
    private: repo.private,
    visibility: repo.private ? "private" : "public",
    fork: repo.fork,
    archived: repo.archived,
    disabled: false,
    has_issues: repo.hasIssues,
    default_branch: repo.defaultBranch,
    open_issues_count: repo.openIssues,
    open_issues: repo.openIssues,
    html_url: `${site.web}/${fullName}`,
    url: `${site.api}/repos/${fullName}`,
    clone_url: `${site.web}/${fullName}.git`,
    git_url: `${site.web.replace(/^https?:/, "git:")}/${fullName}.git`,
    ssh_url: `git@${new URL(site.web).hostname}:${fullName}.git`,
    svn_url: `${site.web}/${fullName}`,
    mirror_url: null,
    homepage: null,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt ?? repo.createdAt,
    pushed_at: repo.pushedAt,
    template_repository: null,
    topics: [],
  };
  if (shape === "full") {
    delete json.parent;
    delete json.source;
    if (repo.ownerType === "Organization") json.organization = json.owner;
    else delete json.organization;
  }
  return json;
}
