/**
 * The REST endpoints Keywarden calls, with GitHub's checks in GitHub's order: credentials (401),
 * visibility (a repository the token does not cover is a 404, as GitHub hides it), permission (403
 * `Resource not accessible by integration`), archived repository (403 on writes), issues disabled
 * (410), validation (422). Anything else is a 404, so a new call Keywarden starts making shows up
 * as a failing test rather than a silent success.
 *
 * App (JWT): GET /app, GET /app/installations, GET /app/installations/{id},
 *   POST /app/installations/{id}/access_tokens (honouring `repositories`, `repository_ids`,
 *   `permissions`).
 * Installation token: GET /installation/repositories, GET /repos/{o}/{r} (also reachable as
 *   /repositories/{id}, which is where GitHub's Link headers point), GET contents (raw media type or
 *   JSON, any `ref`), GET/POST issues, GET/PATCH issues/{n}, GET/POST issues/{n}/comments,
 *   GET/POST labels, GET/PATCH labels/{name}; GET pulls/{n} and pulls/{n}/files (pull_requests: read);
 *   POST check-runs, GET/PATCH check-runs/{id}, GET check-runs/{id}/annotations and
 *   GET commits/{ref}/check-runs (checks: write to write, read to read); POST code-scanning/sarifs
 *   and GET code-scanning/sarifs/{id} (security_events).
 */
import { installationTokenReply } from "../helpers/github-nock.js";
import type { IssuedToken, Permissions } from "./auth.js";
import { annotationJson, checkRunJson, type StoredCheckRun } from "./checks.js";
import { NOT_ENABLED_MESSAGE, receiveSarif, sarifStatusJson } from "./code-scanning.js";
import { fnv1a } from "./prng.js";
import { diffEntryJson } from "./pulls.js";
import { fail, notFound, pagedReply, reply, type ApiReply } from "./http-reply.js";
import { ValidationError, type StoredIssue } from "./issues.js";
import { readPath, resolveRef } from "./repos.js";
import { isoSeconds, localExample, localize, validationJson, type Json } from "./shapes.js";
import type { Caller, HostedRepo, World } from "./world.js";

export interface RestRequest {
  method: string;
  /** Decoded path segments after `/api/v3`. */
  segments: string[];
  query: URLSearchParams;
  body: Json;
  accept: string;
  caller: Caller;
}

const JWT_REQUIRED = "A JSON web token could not be decoded";

function requireApp(caller: Caller): ApiReply | undefined {
  if (caller.kind === "app") return undefined;
  return fail(401, caller.kind === "rejected" ? caller.message : JWT_REQUIRED);
}

function requireToken(caller: Caller): IssuedToken | ApiReply {
  if (caller.kind === "installation") return caller.token;
  if (caller.kind === "none") return fail(401, "Requires authentication");
  return fail(401, caller.kind === "rejected" ? caller.message : "Bad credentials");
}

function forbidden(permission: string, level: string): ApiReply {
  return fail(403, "Resource not accessible by integration", { "x-accepted-github-permissions": `${permission}=${level}` });
}

export async function routeRest(world: World, r: RestRequest): Promise<ApiReply> {
  const [first, second, third] = r.segments;
  if (first === "app") return appRoutes(world, r);
  if (first === "installation" && second === "repositories" && r.segments.length === 2 && r.method === "GET") {
    const token = requireToken(r.caller);
    if (!("token" in token)) return token;
    const visible = world.installedRepos().filter((repo) => world.covers(token, repo));
    const selection = token.repositories ? "selected" : world.installationJson().repository_selection;
    return pagedReply(visible, r.query, `${world.site.api}/installation/repositories`, (repo) => world.repositoryJson(repo, "listed"), (repositories) => ({
      total_count: visible.length,
      repository_selection: selection,
      repositories,
    }));
  }
  let repo: HostedRepo | undefined;
  let rest: string[];
  if (first === "repos" && second && third) {
    repo = world.findRepo(second, third);
    rest = r.segments.slice(3);
  } else if (first === "repositories" && second && /^\d+$/.test(second)) {
    repo = world.findRepoById(Number(second));
    rest = r.segments.slice(2);
  } else {
    return notFound();
  }
  const token = requireToken(r.caller);
  if (!("token" in token)) return token;
  if (!repo || !world.covers(token, repo)) return notFound();
  try {
    return await repoRoutes(world, r, token, repo, rest);
  } catch (error) {
    if (error instanceof ValidationError) return reply(422, error.body);
    throw error;
  }
}

async function appRoutes(world: World, r: RestRequest): Promise<ApiReply> {
  const denied = requireApp(r.caller);
  if (denied) return denied;
  const [, second, id, action] = r.segments;
  const { installationId } = world.options;
  if (r.method === "GET" && r.segments.length === 1) return reply(200, world.appJson());
  if (r.method === "GET" && second === "installations" && r.segments.length === 2) {
    return pagedReply([world.installationJson()], r.query, `${world.site.api}/app/installations`, (i) => i);
  }
  if (second !== "installations" || Number(id) !== installationId) return notFound();
  if (r.method === "GET" && r.segments.length === 3) return reply(200, world.installationJson());
  if (r.method === "POST" && action === "access_tokens" && r.segments.length === 4) return mintToken(world, r.body ?? {});
  return notFound();
}

const LEVELS = { read: 1, write: 2, admin: 3 } as const;

function mintToken(world: World, body: Json): ApiReply {
  const inaccessible = () => fail(422, "There is at least one repository that does not exist or is not accessible to the parent installation.");
  let names: string[] | undefined;
  if (Array.isArray(body.repositories)) {
    names = [];
    for (const name of body.repositories) {
      const repo = typeof name === "string" ? world.findRepo(world.options.owner, name) : undefined;
      if (!repo || !repo.installed) return inaccessible();
      names.push(repo.name);
    }
  }
  if (Array.isArray(body.repository_ids)) {
    names ??= [];
    for (const id of body.repository_ids) {
      const repo = world.findRepoById(Number(id));
      if (!repo || !repo.installed) return inaccessible();
      names.push(repo.name);
    }
  }
  const granted = world.options.permissions;
  let permissions: Permissions = { ...granted };
  if (body.permissions && typeof body.permissions === "object") {
    permissions = {};
    for (const [name, level] of Object.entries(body.permissions as Record<string, string>)) {
      const has = granted[name];
      if (!has || !(level in LEVELS) || LEVELS[level as keyof typeof LEVELS] > LEVELS[has]) {
        return fail(422, "The permissions requested are not granted to this installation.");
      }
      permissions[name] = level as Permissions[string];
    }
    permissions.metadata ??= "read";
  }
  const issued = world.tokens.mint(world.options.installationId, world.now(), names, permissions);
  const json = localize(installationTokenReply({ token: issued.token, permissions, owner: world.options.owner }), world.site);
  json.expires_at = isoSeconds(issued.expiresAt);
  if (names) {
    json.repository_selection = "selected";
    json.repositories = names.map((n) => world.repositoryJson(world.repo(n), "listed"));
  } else {
    json.repository_selection = world.installationJson().repository_selection;
    delete json.repositories;
  }
  return reply(201, json);
}

async function repoRoutes(world: World, r: RestRequest, token: IssuedToken, repo: HostedRepo, rest: string[]): Promise<ApiReply> {
  const [resource, id, sub] = rest;
  const method = r.method;
  const need = (permission: string, level: "read" | "write"): ApiReply | undefined =>
    world.allows(token, permission, level) ? undefined : forbidden(permission, level);
  const writable = (): ApiReply | undefined => (repo.archived ? fail(403, "Repository was archived so is read-only.") : undefined);
  const issuesOn = (): ApiReply | undefined => (repo.hasIssues ? undefined : fail(410, "Issues are disabled for this repo"));
  const store = repo.issues;
  const full = `${world.options.owner}/${repo.name}`;
  const listBase = `${world.site.api}/repositories/${repo.id}`;

  if (rest.length === 0 && method === "GET") return need("metadata", "read") ?? reply(200, world.repositoryJson(repo, "full"));

  if (resource === "contents" && method === "GET") return need("contents", "read") ?? contents(world, r, repo, rest.slice(1).join("/"));

  if (resource === "issues" && rest.length === 1) {
    if (method === "GET") {
      return (
        need("issues", "read") ??
        issuesOn() ??
        pagedReply(
          store.list({
            state: r.query.get("state"),
            creator: r.query.get("creator"),
            labels: r.query.get("labels"),
            since: r.query.get("since"),
            assignee: r.query.get("assignee"),
            sort: r.query.get("sort"),
            direction: r.query.get("direction"),
          }),
          r.query,
          `${listBase}/issues`,
          (issue) => store.issueJson(issue),
        )
      );
    }
    if (method === "POST") {
      const refused = need("issues", "write") ?? writable() ?? issuesOn();
      if (refused) return refused;
      const issue = store.create(r.body ?? {}, world.bot);
      return reply(201, store.issueJson(issue), { location: `${world.site.api}/repos/${full}/issues/${issue.number}` });
    }
  }

  if (resource === "issues" && id && /^\d+$/.test(id)) {
    const found: StoredIssue | undefined = store.issues.get(Number(id));
    const read = need("issues", "read") ?? issuesOn() ?? (found ? undefined : notFound());
    if (read) return read;
    const issue = found!;
    if (rest.length === 2 && method === "GET") return reply(200, store.issueJson(issue));
    if (rest.length === 2 && method === "PATCH") {
      return need("issues", "write") ?? writable() ?? reply(200, store.issueJson(store.edit(issue, r.body ?? {}, world.bot)));
    }
    if (sub === "comments" && rest.length === 3 && method === "GET") {
      const since = Date.parse(r.query.get("since") ?? "");
      const comments = Number.isNaN(since) ? issue.comments : issue.comments.filter((c) => Date.parse(c.updatedAt) >= since);
      return pagedReply(comments, r.query, `${listBase}/issues/${issue.number}/comments`, (c) => store.commentJson(issue, c));
    }
    if (sub === "comments" && rest.length === 3 && method === "POST") {
      const refused = need("issues", "write") ?? writable();
      if (refused) return refused;
      const comment = store.comment(issue, r.body?.body, world.bot);
      return reply(201, store.commentJson(issue, comment), { location: `${world.site.api}/repos/${full}/issues/comments/${comment.id}` });
    }
  }

  if (resource === "labels" && rest.length === 1) {
    if (method === "GET") return need("issues", "read") ?? pagedReply([...store.labels.values()], r.query, `${listBase}/labels`, (l) => store.labelJson(l));
    if (method === "POST") {
      const refused = need("issues", "write") ?? writable();
      if (refused) return refused;
      return reply(201, store.labelJson(store.createLabel(r.body ?? {})));
    }
  }
  if (resource === "pulls" && id && /^\d+$/.test(id)) {
    const denied = need("pull_requests", "read");
    if (denied) return denied;
    const pull = repo.pulls.get(Number(id));
    if (!pull) return notFound();
    if (rest.length === 2 && method === "GET") return reply(200, await world.pullJson(repo, pull));
    if (sub === "files" && rest.length === 3 && method === "GET") {
      // GitHub lists at most 3,000 files, whatever `changed_files` says.
      const listed = (await world.pullDiff(repo, pull)).files.slice(0, world.pullLimits.maxListedFiles);
      return pagedReply(listed, r.query, `${listBase}/pulls/${pull.number}/files`, (f) => diffEntryJson(f, world.site, full, pull.headSha));
    }
  }

  if (resource === "check-runs") return checkRunRoutes(world, r, repo, rest, need, writable);

  if (resource === "commits" && id !== undefined && sub === "check-runs" && rest.length === 3 && method === "GET") {
    const denied = need("checks", "read");
    if (denied) return denied;
    const sha = await resolveRef(repo.dir, id);
    if (!sha) return fail(422, `No commit found for SHA: ${id}`);
    let runs = repo.checkRuns.runs.filter((run) => run.headSha === sha).sort((a, b) => b.id - a.id);
    const name = r.query.get("check_name");
    const status = r.query.get("status");
    if (name) runs = runs.filter((run) => run.name === name);
    if (status) runs = runs.filter((run) => run.status === status);
    // `filter=latest` (the default): the most recent run of each name.
    if ((r.query.get("filter") ?? "latest") === "latest") runs = runs.filter((run, i) => runs.findIndex((other) => other.name === run.name) === i);
    return pagedReply(runs, r.query, `${listBase}/commits/${sha}/check-runs`, (run) => checkRunJsonOf(world, repo, run), (page) => ({ total_count: runs.length, check_runs: page }));
  }

  if (resource === "code-scanning" && id === "sarifs") {
    if (rest.length === 2 && method === "POST") {
      const refused = need("security_events", "write") ?? writable() ?? (repo.codeScanning ? undefined : fail(403, NOT_ENABLED_MESSAGE));
      return refused ?? receiveSarif(repo.sarifs, r.body, world.now(), world.site, full);
    }
    if (rest.length === 3 && method === "GET") {
      const refused = need("security_events", "read") ?? (repo.codeScanning ? undefined : fail(403, NOT_ENABLED_MESSAGE));
      if (refused) return refused;
      const upload = repo.sarifs.find((u) => u.id === rest[2]);
      return upload ? reply(200, sarifStatusJson(upload, world.site, full)) : notFound();
    }
  }

  if (resource === "labels" && id !== undefined && rest.length === 2 && method === "GET") {
    const label = store.label(id);
    return need("issues", "read") ?? (label ? reply(200, store.labelJson(label)) : notFound());
  }
  if (resource === "labels" && id !== undefined && rest.length === 2 && method === "PATCH") {
    const refused = need("issues", "write") ?? writable();
    if (refused) return refused;
    const label = store.label(id);
    return label ? reply(200, store.labelJson(store.updateLabel(label, r.body ?? {}))) : notFound();
  }
  return notFound();
}

async function contents(world: World, r: RestRequest, repo: HostedRepo, path: string): Promise<ApiReply> {
  const ref = r.query.get("ref") || repo.defaultBranch;
  const found = await readPath(repo.dir, ref, path);
  const full = `${world.options.owner}/${repo.name}`;
  const entryJson = (entryPath: string, type: "file" | "dir", sha: string, size: number): Json => {
    const base = localExample("content-file", world.site, [["octokit/octokit.rb", full]]);
    const self = `${world.site.api}/repos/${full}/contents/${entryPath}?ref=${encodeURIComponent(ref)}`;
    const html = `${world.site.web}/${full}/${type === "dir" ? "tree" : "blob"}/${ref}/${entryPath}`;
    const gitUrl = `${world.site.api}/repos/${full}/git/${type === "dir" ? "trees" : "blobs"}/${sha}`;
    const json: Json = {
      ...base,
      type,
      size,
      name: entryPath.split("/").pop(),
      path: entryPath,
      sha,
      url: self,
      git_url: gitUrl,
      html_url: html,
      download_url: type === "file" ? `${world.site.web}/${full}/raw/${ref}/${entryPath}` : null,
      _links: { self, git: gitUrl, html },
    };
    delete json.content;
    delete json.encoding;
    return json;
  };
  switch (found.kind) {
    case "empty-repository":
      return fail(404, "This repository is empty.");
    case "no-ref":
      return fail(404, `No commit found for the ref ${ref}`);
    case "missing":
      return notFound();
    case "tree": {
      const prefix = path.replace(/^\/+|\/+$/g, "");
      return reply(200, found.entries.map((e) => entryJson(prefix ? `${prefix}/${e.name}` : e.name, e.type, e.sha, e.size)));
    }
    case "blob": {
      // With the charset: without it @octokit/request hands back an ArrayBuffer, not the text.
      if (/\braw\b/.test(r.accept)) return { status: 200, raw: { body: found.content, contentType: "application/vnd.github.raw; charset=utf-8" } };
      const base64 = found.content.toString("base64").replace(/.{60}/g, "$&\n");
      return reply(200, { ...entryJson(path.replace(/^\/+|\/+$/g, ""), "file", found.sha, found.size), content: `${base64}\n`, encoding: "base64" });
    }
  }
}

/** A check run as GitHub shows it: the app, its check suite, the same-repository pull requests of its commit. */
export function checkRunJsonOf(world: World, repo: HostedRepo, run: StoredCheckRun): Json {
  const full = `${world.options.owner}/${repo.name}`;
  const api = `${world.site.api}/repos/${full}`;
  const repoRef = { id: repo.id, url: api, name: repo.name };
  // Pushes to a fork are not detected: a fork's pull request is not listed (GitHub's note on the Checks API).
  const pullRequests = [...repo.pulls.values()]
    .filter((p) => p.state === "open" && !p.headRepo.fork && p.headSha === run.headSha)
    .map((p) => ({ url: `${api}/pulls/${p.number}`, id: p.id, number: p.number, head: { ref: p.headRef, sha: p.headSha, repo: repoRef }, base: { ref: p.baseRef, sha: p.baseSha, repo: repoRef } }));
  return checkRunJson(run, { site: world.site, fullName: full, app: world.appJson(), pullRequests, checkSuiteId: 1 + (fnv1a(`${repo.id}:${run.headSha}`) % 1_000_000_000) });
}

async function checkRunRoutes(
  world: World,
  r: RestRequest,
  repo: HostedRepo,
  rest: string[],
  need: (permission: string, level: "read" | "write") => ApiReply | undefined,
  writable: () => ApiReply | undefined,
): Promise<ApiReply> {
  const [, id, sub] = rest;
  const full = `${world.options.owner}/${repo.name}`;
  if (rest.length === 1 && r.method === "POST") {
    const refused = need("checks", "write") ?? writable();
    if (refused) return refused;
    const headSha = r.body?.head_sha;
    if (headSha === undefined) throw new ValidationError({ message: 'Invalid request.\n\n"head_sha" wasn\'t supplied.', documentation_url: "https://docs.github.com/rest/checks/runs#create-a-check-run", status: "422" });
    const sha = typeof headSha === "string" && /^[0-9a-f]{40}$/i.test(headSha) ? await resolveRef(repo.dir, headSha) : undefined;
    if (!sha) throw new ValidationError({ ...validationJson("CheckRun", "invalid", "head_sha"), message: "No commit found for SHA: " + String(headSha) });
    const run = repo.checkRuns.create(sha, r.body);
    return reply(201, checkRunJsonOf(world, repo, run), { location: `${world.site.api}/repos/${full}/check-runs/${run.id}` });
  }
  if (id === undefined || !/^\d+$/.test(id)) return notFound();
  const denied = need("checks", "read");
  if (denied) return denied;
  const run = repo.checkRuns.get(Number(id));
  if (!run) return notFound();
  if (rest.length === 2 && r.method === "GET") return reply(200, checkRunJsonOf(world, repo, run));
  if (rest.length === 2 && r.method === "PATCH") {
    const refused = need("checks", "write") ?? writable();
    if (refused) return refused;
    return reply(200, checkRunJsonOf(world, repo, repo.checkRuns.update(run, r.body)));
  }
  if (sub === "annotations" && rest.length === 3 && r.method === "GET") {
    return pagedReply(run.annotations, r.query, `${world.site.api}/repositories/${repo.id}/check-runs/${run.id}/annotations`, (a) => annotationJson(a, world.site, full, run.headSha));
  }
  return notFound();
}
