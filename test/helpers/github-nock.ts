/**
 * GitHub's REST API for tests, through nock, with GitHub's own response shapes: every reply starts
 * from the example GitHub publishes for that operation (node_modules/@octokit/openapi, the
 * `components.examples`) with only the fields that matter overridden.
 *
 * Two layers:
 * - reply builders (`issueReply`, `labelReply`, `commentReply`, `installationTokenReply`,
 *   `errorReply`, `validationErrorReply`, `botUser`): for hand-written `nock(...).reply(...)`.
 * - `FakeGitHubRepo`: one repository's issues, comments and labels kept in memory behind a persisted
 *   nock scope, so a sequence of scans sees GitHub's state evolve. Every request is recorded
 *   (`writes()` is what "changes nothing" asserts on) and faults can be queued, including a write
 *   that GitHub applies before the reply is lost (502 or dropped connection). Listings paginate as
 *   GitHub's do (`per_page`, default 30, at most 100; `page`; a `Link` header with `next`, `last`,
 *   `prev`, `first`), so a client that reads only the first page misses what is on the second.
 */
import { createRequire } from "node:module";
import nock from "nock";

const require = createRequire(import.meta.url);
 
type Json = any;
const spec: { components: { examples: Record<string, { value: Json }> } } = require("@octokit/openapi/generated/api.github.com.json");

export const GITHUB_API = "https://api.github.com";
export const GITHUB_WEB = "https://github.com";

/** A deep copy of a published example (`issue`, `label`, `issue-comment`, `installation-token`, ...). */
export function example(name: string): Json {
  const found = spec.components.examples[name];
  if (!found) throw new Error(`no GitHub example named ${name}`);
  return structuredClone(found.value);
}

interface Where {
  owner: string;
  repo: string;
  api?: string;
  web?: string;
}

function urls(w: Where): { api: string; web: string; repoApi: string; repoWeb: string } {
  const api = w.api ?? GITHUB_API;
  const web = w.web ?? GITHUB_WEB;
  return { api, web, repoApi: `${api}/repos/${w.owner}/${w.repo}`, repoWeb: `${web}/${w.owner}/${w.repo}` };
}

/** The bot user of a GitHub App (`slug[bot]`, type Bot), shaped like GitHub's simple-user. */
export function botUser(appSlug: string, id = 41898282, api = GITHUB_API, web = GITHUB_WEB): Json {
  return personUser(`${appSlug}[bot]`, id, api, web, "Bot");
}

/** A user shaped like GitHub's simple-user. */
export function personUser(login: string, id = 1, api = GITHUB_API, web = GITHUB_WEB, type = "User"): Json {
  const user = example("issue").user;
  const encoded = encodeURIComponent(login);
  return {
    ...user,
    login,
    id,
    type,
    url: `${api}/users/${encoded}`,
    html_url: `${web}/apps/${encoded}`,
    repos_url: `${api}/users/${encoded}/repos`,
  };
}

export function labelReply(w: Where & { name: string; color?: string; description?: string | null; id?: number }): Json {
  const { repoApi } = urls(w);
  return {
    ...example("label"),
    id: w.id ?? 1000 + w.name.length,
    name: w.name,
    color: w.color ?? "ededed",
    description: w.description ?? null,
    default: false,
    url: `${repoApi}/labels/${encodeURIComponent(w.name)}`,
  };
}

export interface IssueFields {
  number: number;
  title: string;
  body: string | null;
  state?: "open" | "closed";
  state_reason?: "completed" | "not_planned" | "reopened" | "duplicate" | null;
  labels?: string[];
  assignees?: string[];
  user?: Json;
  pullRequest?: boolean;
}

export function issueReply(w: Where & IssueFields): Json {
  const { repoApi, repoWeb, api, web } = urls(w);
  const base = example("issue");
  const state = w.state ?? "open";
  const assignees = (w.assignees ?? []).map((login, i) => personUser(login, 100 + i, api, web));
  const issue: Json = {
    ...base,
    id: 5000 + w.number,
    number: w.number,
    url: `${repoApi}/issues/${w.number}`,
    repository_url: repoApi,
    labels_url: `${repoApi}/issues/${w.number}/labels{/name}`,
    comments_url: `${repoApi}/issues/${w.number}/comments`,
    events_url: `${repoApi}/issues/${w.number}/events`,
    html_url: `${repoWeb}/issues/${w.number}`,
    title: w.title,
    body: w.body,
    state,
    state_reason: w.state_reason ?? null,
    closed_at: state === "closed" ? "2026-01-01T00:00:00Z" : null,
    labels: (w.labels ?? []).map((name) => labelReply({ ...w, name })),
    user: w.user ?? personUser("octocat", 1, api, web),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: 0,
    closed_by: null,
  };
  if (w.pullRequest) {
    issue.pull_request = { ...base.pull_request, url: `${repoApi}/pulls/${w.number}`, html_url: `${repoWeb}/pull/${w.number}` };
  } else {
    delete issue.pull_request;
  }
  return issue;
}

export function commentReply(w: Where & { id: number; issueNumber: number; body: string; user?: Json }): Json {
  const { repoApi, repoWeb } = urls(w);
  return {
    ...example("issue-comment"),
    id: w.id,
    url: `${repoApi}/issues/comments/${w.id}`,
    html_url: `${repoWeb}/issues/${w.issueNumber}#issuecomment-${w.id}`,
    issue_url: `${repoApi}/issues/${w.issueNumber}`,
    body: w.body,
    user: w.user ?? personUser("octocat"),
  };
}

/** `POST /app/installations/{id}/access_tokens` reply. */
export function installationTokenReply(w: { token: string; repositories?: string[]; permissions?: Record<string, string>; owner?: string; expiresAt?: string }): Json {
  const base = example("installation-token");
  const template = base.repositories?.[0] ?? {};
  return {
    ...base,
    token: w.token,
    expires_at: w.expiresAt ?? "2099-01-01T00:00:00Z",
    permissions: w.permissions ?? base.permissions,
    repositories: (w.repositories ?? []).map((name, i) => ({
      ...template,
      id: 2000 + i,
      name,
      full_name: `${w.owner ?? "octocat"}/${name}`,
    })),
  };
}

/** GitHub's basic-error body. */
export function errorReply(status: number, message: string): Json {
  return { message, documentation_url: "https://docs.github.com/rest", status: String(status) };
}

/** GitHub's validation-error body (422). */
export function validationErrorReply(resource: string, code: string, field?: string): Json {
  return {
    message: "Validation Failed",
    errors: [{ resource, code, ...(field ? { field } : {}) }],
    documentation_url: "https://docs.github.com/rest",
  };
}

/** GitHub's largest page. */
export const MAX_PER_PAGE = 100;

/**
 * One page of `items` as GitHub serves a listing at `url`: `per_page` (default 30, at most 100) and
 * `page` (default 1) from its query, and a `Link` header naming the other pages by the same URL
 * with another `page`.
 */
export function pageOf<T>(items: readonly T[], url: URL): [T[], Record<string, string>] {
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(url.searchParams.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const at = (n: number) => {
    const link = new URL(url);
    link.searchParams.set("page", String(n));
    return link.toString();
  };
  const rels: string[] = [];
  if (page < last) rels.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${at(page - 1)}>; rel="prev"`, `<${at(1)}>; rel="first"`);
  return [items.slice((page - 1) * perPage, page * perPage), rels.length ? { link: rels.join(", ") } : {}];
}

// ---------------------------------------------------------------------------------------------
// A stateful fake repository.

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/repos/o/r/issues?state=all&...`. */
  path: string;
  body: Json;
}

export type Fault =
  /** Reply with this status (and body/headers) without applying the write. */
  | { kind: "status"; status: number; body?: Json; headers?: Record<string, string> }
  /** Apply the write, then answer 502 as a proxy in front of GitHub would. */
  | { kind: "applied-then-502" }
  /** Apply the write, then drop the connection before any reply. */
  | { kind: "applied-then-drop" }
  /** Drop the connection without applying. */
  | { kind: "drop" };

interface StoredIssue extends IssueFields {
  state: "open" | "closed";
  state_reason: IssueFields["state_reason"];
  labels: string[];
  assignees: string[];
  user: Json;
}

export class FakeGitHubRepo {
  readonly owner: string;
  readonly repo: string;
  readonly appSlug: string;
  readonly api: string;
  readonly web: string;
  readonly issues = new Map<number, StoredIssue>();
  readonly comments = new Map<number, { id: number; body: string; user: Json }[]>();
  readonly labels = new Map<string, { color: string; description: string | null }>();
  readonly requests: RecordedRequest[] = [];
  /**
   * Check runs created on the repository (POST /check-runs, then PATCHes merged in, annotations
   * appended). `checksGranted = false` answers as GitHub does an installation that has not accepted
   * `checks: write`: 403 "Resource not accessible by integration".
   */
  readonly checkRuns: { id: number; head_sha: string; status: string; conclusion: string | null; output: Json; annotations: Json[] }[] = [];
  checksGranted = true;
  /** Pull requests by number: their state, head, the base repository's clone URL and changed files. */
  readonly pulls = new Map<number, { state: "open" | "closed"; headSha: string; cloneUrl: string; files: { filename: string; status: string; patch?: string }[] }>();
  /** Issues disabled in the repository: writes to issues answer 410. */
  issuesDisabled = false;
  /** Simulate a server whose `creator` filter matches nothing for bot logins. */
  creatorFilterBroken = false;
  private readonly faults: { method: string; path: RegExp; fault: Fault }[] = [];
  private nextNumber = 1;
  private nextCommentId = 9000;
  private nextCheckRunId = 4_000_000;
  private scope: nock.Scope | undefined;

  constructor(w: { owner?: string; repo?: string; appSlug?: string; api?: string; web?: string } = {}) {
    this.owner = w.owner ?? "octo-org";
    this.repo = w.repo ?? "infra";
    this.appSlug = w.appSlug ?? "keywarden";
    this.api = w.api ?? GITHUB_API;
    this.web = w.web ?? GITHUB_WEB;
  }

  get bot(): Json {
    return botUser(this.appSlug, 41898282, this.api, this.web);
  }

  /** Put an issue in place as if created earlier (by the app unless `user` says otherwise). */
  seedIssue(fields: Omit<IssueFields, "number"> & { number?: number }): number {
    const number = fields.number ?? this.nextNumber;
    this.nextNumber = Math.max(this.nextNumber, number + 1);
    this.issues.set(number, {
      ...fields,
      number,
      state: fields.state ?? "open",
      state_reason: fields.state_reason ?? null,
      labels: fields.labels ?? [],
      assignees: fields.assignees ?? [],
      user: fields.user ?? this.bot,
    });
    return number;
  }

  /** The next request matching `method` and `path` (a regexp on the path without query) fails so. */
  failNext(method: string, path: RegExp, fault: Fault): void {
    this.faults.push({ method: method.toUpperCase(), path, fault });
  }

  /** Every request that is not a read. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  /** Start intercepting. Call `nock.cleanAll()` (or `stop()`) after the test. */
  start(): this {
    // GitHub Enterprise Server's API lives under a path (`/api/v3`): nock matches on origin + path.
    const base = new URL(this.api);
    const scope = nock(base.origin).persist();
    const repos = new RegExp(`^${this.apiPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/repos/`);
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      scope.intercept(repos, method.toUpperCase()).reply(async (request: Request, callback?: (err: Error | null, result?: Json) => void) => {
        // nock passes a callback only to two-argument functions; this one declares two.
        const reply = await this.handle(request);
        if (reply instanceof Error) return callback!(reply);
        callback!(null, reply);
      });
    }
    this.scope = scope;
    return this;
  }

  private get apiPath(): string {
    return new URL(this.api).pathname.replace(/\/+$/, "");
  }

  stop(): void {
    this.scope?.persist(false);
    nock.cleanAll();
  }

  private checkRun(method: string, rest: string, body: Json): [number, Json] {
    if (!this.checksGranted) return [403, { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/checks/runs#create-a-check-run", status: "403" }];
    const reply = (run: (typeof this.checkRuns)[number]) => ({
      ...example("check-run"),
      id: run.id,
      head_sha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      url: `${this.api}/repos/${this.owner}/${this.repo}/check-runs/${run.id}`,
    });
    const { annotations = [], ...output } = body?.output ?? {};
    if (method === "POST" && rest === "/check-runs") {
      const run = { id: this.nextCheckRunId++, head_sha: body.head_sha, status: body.status ?? "queued", conclusion: body.conclusion ?? null, output, annotations: [...annotations] };
      this.checkRuns.push(run);
      return [201, reply(run)];
    }
    const run = this.checkRuns.find((r) => rest === `/check-runs/${r.id}`);
    if (method === "PATCH" && run) {
      Object.assign(run, { status: body.status ?? run.status, conclusion: body.conclusion ?? run.conclusion, output: body.output ? output : run.output });
      run.annotations.push(...annotations);
      return [200, reply(run)];
    }
    return [404, errorReply(404, "Not Found")];
  }

  private issueJson(issue: StoredIssue): Json {
    return issueReply({ owner: this.owner, repo: this.repo, api: this.api, web: this.web, ...issue });
  }

  private async handle(request: Request): Promise<[number, Json, Record<string, string>?] | Error> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const text = method === "GET" ? "" : await request.text();
    const body: Json = text ? JSON.parse(text) : undefined;
    this.requests.push({ method, path: `${url.pathname}${url.search}`, body });

    const faultIndex = this.faults.findIndex((f) => f.method === method && f.path.test(url.pathname));
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0]!.fault : undefined;
    if (fault?.kind === "status") return [fault.status, fault.body ?? errorReply(fault.status, "fault"), fault.headers ?? {}];
    if (fault?.kind === "drop") return Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

    const reply = this.route(method, url, body);
    if (fault?.kind === "applied-then-502") return [502, { message: "Server Error" }, {}];
    if (fault?.kind === "applied-then-drop") return Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    return reply;
  }

  private route(method: string, url: URL, body: Json): [number, Json, Record<string, string>?] {
    const prefix = `${this.apiPath}/repos/${this.owner}/${this.repo}`;
    const path = decodeURIComponent(url.pathname);
    if (!path.startsWith(`${prefix}/`)) return [404, errorReply(404, "Not Found")];
    const rest = path.slice(prefix.length);
    const q = url.searchParams;
    let m: RegExpExecArray | null;

    if (rest === "/issues" && method === "GET") {
      let list = [...this.issues.values()];
      if (q.get("state") !== "all") list = list.filter((i) => i.state === (q.get("state") ?? "open"));
      const creator = q.get("creator");
      if (creator) list = this.creatorFilterBroken ? [] : list.filter((i) => i.user.login === creator);
      const labels = q.get("labels");
      if (labels) list = list.filter((i) => labels.split(",").every((l) => i.labels.includes(l)));
      list.sort((a, b) => a.number - b.number);
      // GitHub's default order is newest first (sort=created, direction=desc).
      if ((q.get("direction") ?? "desc") === "desc") list.reverse();
      const [page, headers] = pageOf(list, url);
      return [200, page.map((i) => this.issueJson(i)), headers];
    }
    if (rest === "/issues" && method === "POST") {
      if (this.issuesDisabled) return [410, errorReply(410, "Issues are disabled for this repo")];
      const number = this.seedIssue({
        title: body.title,
        body: body.body ?? null,
        labels: body.labels ?? [],
        assignees: body.assignees ?? [],
      });
      for (const name of body.labels ?? []) if (!this.labels.has(name)) this.labels.set(name, { color: "ededed", description: null });
      return [201, this.issueJson(this.issues.get(number)!)];
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest))) {
      const issue = this.issues.get(Number(m[1]));
      if (!issue) return [404, errorReply(404, "Not Found")];
      if (method === "GET") return [200, this.issueJson(issue)];
      if (method === "PATCH") {
        if (this.issuesDisabled) return [410, errorReply(410, "Issues are disabled for this repo")];
        if (body.body !== undefined) issue.body = body.body;
        if (body.title !== undefined) issue.title = body.title;
        if (body.state === "closed") {
          issue.state = "closed";
          issue.state_reason = body.state_reason ?? "completed";
        } else if (body.state === "open") {
          if (issue.state === "closed") issue.state_reason = "reopened";
          issue.state = "open";
        }
        return [200, this.issueJson(issue)];
      }
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const number = Number(m[1]);
      if (!this.issues.has(number)) return [404, errorReply(404, "Not Found")];
      const list = this.comments.get(number) ?? [];
      if (method === "GET") {
        const [page, headers] = pageOf(list, url);
        return [200, page.map((c) => commentReply({ owner: this.owner, repo: this.repo, api: this.api, web: this.web, id: c.id, issueNumber: number, body: c.body, user: c.user })), headers];
      }
      if (method === "POST") {
        if (this.issuesDisabled) return [410, errorReply(410, "Issues are disabled for this repo")];
        const comment = { id: this.nextCommentId++, body: String(body.body), user: this.bot };
        list.push(comment);
        this.comments.set(number, list);
        return [201, commentReply({ owner: this.owner, repo: this.repo, api: this.api, web: this.web, id: comment.id, issueNumber: number, body: comment.body, user: comment.user })];
      }
    }
    if (rest === "/check-runs" || /^\/check-runs\/\d+$/.test(rest)) return this.checkRun(method, rest, body);
    if ((m = /^\/pulls\/(\d+)(\/files)?$/.exec(rest)) && method === "GET") {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return [404, errorReply(404, "Not Found")];
      if (m[2]) {
        const [page, headers] = pageOf(pull.files.map((f) => ({ ...example("diff-entry-items")[0], ...f, patch: f.patch })), url);
        return [200, page, headers];
      }
      const pr = example("pull-request");
      return [200, { ...pr, number: Number(m[1]), state: pull.state, changed_files: pull.files.length, head: { ...pr.head, sha: pull.headSha }, base: { ...pr.base, repo: { ...pr.base.repo, name: this.repo, full_name: `${this.owner}/${this.repo}`, clone_url: pull.cloneUrl } } }];
    }
    if ((m = /^\/labels\/(.+)$/.exec(rest)) && method === "GET") {
      const label = this.labels.get(m[1]!);
      return label
        ? [200, labelReply({ owner: this.owner, repo: this.repo, api: this.api, name: m[1]!, ...label })]
        : [404, errorReply(404, "Not Found")];
    }
    if ((m = /^\/labels\/(.+)$/.exec(rest)) && method === "PATCH") {
      const label = this.labels.get(m[1]!);
      if (!label) return [404, errorReply(404, "Not Found")];
      if (typeof body.color === "string") label.color = body.color;
      if (body.description !== undefined) label.description = body.description;
      return [200, labelReply({ owner: this.owner, repo: this.repo, api: this.api, name: m[1]!, ...label })];
    }
    if (rest === "/labels" && method === "POST") {
      if (this.labels.has(body.name)) return [422, validationErrorReply("Label", "already_exists", "name")];
      this.labels.set(body.name, { color: body.color ?? "ededed", description: body.description ?? null });
      return [201, labelReply({ owner: this.owner, repo: this.repo, api: this.api, name: body.name, color: body.color, description: body.description })];
    }
    return [404, errorReply(404, "Not Found")];
  }
}
