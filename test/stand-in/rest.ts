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
 *   GET/POST labels, GET/PATCH labels/{name}.
 */
import { installationTokenReply } from "../helpers/github-nock.js";
import type { IssuedToken, Permissions } from "./auth.js";
import { fail, notFound, pagedReply, reply, type ApiReply } from "./http-reply.js";
import { ValidationError, type StoredIssue } from "./issues.js";
import { readPath } from "./repos.js";
import { isoSeconds, localExample, localize, type Json } from "./shapes.js";
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
