/**
 * Webhook deliveries as GitHub makes them: a POST with `x-github-event`, `x-github-delivery`,
 * `x-hub-signature-256` (HMAC-SHA256 of the exact body with the app's secret) and the hook headers,
 * to the app's webhook URL; `redeliver` re-sends a delivery byte for byte under the same id, as the
 * "Redeliver" button does, so tests can prove a duplicate delivery changes nothing.
 *
 * Payloads start from GitHub's own examples (@octokit/webhooks-examples, read directly here rather
 * than through test/helpers/webhooks.ts, which loads Probot and the app's source) with repository,
 * installation and sender moved to the stand-in.
 */
import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { FileChanges } from "./repos.js";
import { ZERO_SHA } from "./repos.js";
import { localize, repositoryJson, userJson, type Json, type RepoFacts, type Site } from "./shapes.js";

const require = createRequire(import.meta.url);
const catalogue = require("@octokit/webhooks-examples/api.github.com/index.json") as { name: string; examples: Json[] }[];

/** A deep copy of GitHub's first example of `event` that satisfies `match`. */
export function webhookExample(event: string, match: (p: Json) => boolean = () => true): Json {
  const found = catalogue.find((e) => e.name === event)?.examples.find(match);
  if (!found) throw new Error(`no ${event} example matches`);
  return structuredClone(found);
}

export function signature256(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface Delivery {
  id: string;
  event: string;
  body: string;
  /** HTTP status of the latest attempt (0: no answer). */
  status: number;
  responseBody: string;
  attempts: number;
}

export class WebhookSender {
  url: string | undefined;
  readonly deliveries: Delivery[] = [];

  constructor(
    private readonly secret: string,
    private readonly appId: number,
  ) {}

  /** Sign and POST `payload` as `event`; resolves once the app answered. */
  async deliver(event: string, payload: unknown): Promise<Delivery> {
    const delivery: Delivery = { id: randomUUID(), event, body: JSON.stringify(payload), status: 0, responseBody: "", attempts: 0 };
    this.deliveries.push(delivery);
    return this.send(delivery);
  }

  /** Send delivery `id` again: same id, same body, same signature. */
  async redeliver(id: string): Promise<Delivery> {
    const delivery = this.deliveries.find((d) => d.id === id);
    if (!delivery) throw new Error(`no delivery ${id}`);
    return this.send(delivery);
  }

  private async send(delivery: Delivery): Promise<Delivery> {
    if (!this.url) throw new Error("set webhookUrl before delivering webhooks");
    delivery.attempts++;
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/stand-in",
          "x-github-event": delivery.event,
          "x-github-delivery": delivery.id,
          "x-github-hook-id": "1",
          "x-github-hook-installation-target-type": "integration",
          "x-github-hook-installation-target-id": String(this.appId),
          "x-hub-signature": `sha1=${createHmac("sha1", this.secret).update(delivery.body).digest("hex")}`,
          "x-hub-signature-256": signature256(this.secret, delivery.body),
        },
        body: delivery.body,
      });
      delivery.status = response.status;
      delivery.responseBody = await response.text();
    } catch (error) {
      // The app is down or dropped the connection: GitHub records a failed delivery, it does not throw.
      delivery.status = 0;
      delivery.responseBody = String((error as Error).cause ?? error);
    }
    return delivery;
  }
}

export interface PayloadContext {
  site: Site;
  owner: string;
  ownerId: number;
  ownerType: "Organization" | "User";
  installationId: number;
}

const SENDER = "developer";

function sender(ctx: PayloadContext): Json {
  return userJson(SENDER, 5001, ctx.site);
}

function installationRef(ctx: PayloadContext): Json {
  return { id: ctx.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${ctx.installationId}` };
}

function pushRepository(ctx: PayloadContext, repo: RepoFacts, template: Json): Json {
  const fullName = `${repo.owner}/${repo.name}`;
  const json = localize(template, ctx.site, [
    ["Codertocat/Hello-World", fullName],
    ["/users/Codertocat", `/users/${repo.owner}`],
  ]);
  const owner = userJson(repo.owner, repo.ownerId, ctx.site, repo.ownerType);
  const seconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : null);
  return {
    ...json,
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: { ...owner, name: repo.owner, email: null },
    html_url: `${ctx.site.web}/${fullName}`,
    url: `${ctx.site.web}/${fullName}`,
    fork: repo.fork,
    archived: repo.archived,
    has_issues: repo.hasIssues,
    default_branch: repo.defaultBranch,
    master_branch: repo.defaultBranch,
    clone_url: `${ctx.site.web}/${fullName}.git`,
    created_at: seconds(repo.createdAt),
    pushed_at: seconds(repo.pushedAt),
    updated_at: repo.pushedAt ?? repo.createdAt,
    open_issues_count: repo.openIssues,
    open_issues: repo.openIssues,
    ...(repo.ownerType === "Organization" ? { organization: repo.owner } : {}),
  };
}

export interface PushFacts {
  before: string | null;
  after: string;
  files: FileChanges;
  branch?: string;
  message?: string;
}

/** A `push` of one commit to `branch` (default: the default branch) of `repo`. */
export function pushPayload(ctx: PayloadContext, repo: RepoFacts, push: PushFacts): Json {
  const payload = webhookExample("push", (p) => p.ref.startsWith("refs/heads/") && p.head_commit);
  const fullName = `${repo.owner}/${repo.name}`;
  const branch = push.branch ?? repo.defaultBranch;
  const before = push.before ?? ZERO_SHA;
  const commit = {
    ...localize(payload.head_commit, ctx.site, [["Codertocat/Hello-World", fullName]]),
    id: push.after,
    tree_id: undefined,
    distinct: true,
    message: push.message ?? "change",
    timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    url: `${ctx.site.web}/${fullName}/commit/${push.after}`,
    author: { name: "Stand-in Developer", email: "developer@example.com", username: SENDER },
    committer: { name: "Stand-in Developer", email: "developer@example.com", username: SENDER },
    added: [...push.files.added],
    removed: [...push.files.removed],
    modified: [...push.files.modified],
  };
  delete commit.tree_id;
  return {
    ...payload,
    ref: `refs/heads/${branch}`,
    before,
    after: push.after,
    created: push.before === null,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: push.before ? `${ctx.site.web}/${fullName}/compare/${before.slice(0, 12)}...${push.after.slice(0, 12)}` : `${ctx.site.web}/${fullName}/commit/${push.after.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
    repository: pushRepository(ctx, repo, payload.repository),
    pusher: { name: SENDER, email: "developer@example.com" },
    sender: sender(ctx),
    installation: installationRef(ctx),
    ...(repo.ownerType === "Organization" ? { organization: userJson(repo.owner, repo.ownerId, ctx.site, "Organization") } : {}),
  };
}

function repoRefs(repos: RepoFacts[]): Json[] {
  return repos.map((r) => ({ id: r.id, node_id: r.nodeId, name: r.name, full_name: `${r.owner}/${r.name}`, private: r.private }));
}

/** `installation` / `created` for the stand-in's installation and `repos`. */
export function installationCreatedPayload(ctx: PayloadContext, installation: Json, repos: RepoFacts[]): Json {
  const payload = webhookExample("installation", (p) => p.action === "created");
  return { ...payload, installation, repositories: repoRefs(repos), requester: null, sender: sender(ctx) };
}

/** `installation_repositories` / `added` for `repos`. */
export function installationRepositoriesAddedPayload(ctx: PayloadContext, installation: Json, repos: RepoFacts[]): Json {
  const payload = webhookExample("installation_repositories", (p) => p.action === "added");
  return { ...payload, installation, repository_selection: "selected", repositories_added: repoRefs(repos), repositories_removed: [], requester: null, sender: sender(ctx) };
}

export type PullRequestAction = "opened" | "synchronize" | "reopened" | "closed";

export interface PullRequestFacts {
  action: PullRequestAction;
  /** The pull request as `GET /repos/{o}/{r}/pulls/{n}` shows it now. */
  pull: Json;
  /** `synchronize`: the head before and after the push. */
  before?: string;
  after?: string;
  /** Who acted (default: the pull request's author). */
  sender?: Json;
}

/**
 * `pull_request` with `action`: GitHub's example of that action, with the stand-in's pull request
 * (its number, head and base refs and SHAs), the base repository, the installation and the sender.
 */
export function pullRequestPayload(ctx: PayloadContext, repo: RepoFacts, facts: PullRequestFacts): Json {
  const payload = webhookExample("pull_request", (p) => p.action === facts.action);
  const fullName = `${repo.owner}/${repo.name}`;
  const json: Json = {
    ...payload,
    action: facts.action,
    number: facts.pull.number,
    pull_request: facts.pull,
    repository: { ...localize(payload.repository, ctx.site, [["Codertocat/Hello-World", fullName]]), ...facts.pull.base.repo },
    installation: installationRef(ctx),
    sender: facts.sender ?? facts.pull.user,
    ...(repo.ownerType === "Organization" ? { organization: userJson(repo.owner, repo.ownerId, ctx.site, "Organization") } : {}),
  };
  if (facts.action === "synchronize") {
    json.before = facts.before;
    json.after = facts.after ?? facts.pull.head.sha;
  } else {
    delete json.before;
    delete json.after;
  }
  return json;
}

export interface CheckRunFacts {
  /** The check run as `GET /repos/{o}/{r}/check-runs/{id}` shows it now. */
  checkRun: Json;
  /** The branch its check suite was created for (a pull request's head branch, or the pushed branch). */
  headBranch: string;
}

/**
 * `check_run` / `rerequested` (the "Re-run" button): GitHub's example, with the stand-in's check run,
 * its check suite's head branch and SHA, the base repository, the installation and the sender.
 */
export function checkRunRerequestedPayload(ctx: PayloadContext, repo: RepoFacts, facts: CheckRunFacts): Json {
  const payload = webhookExample("check_run", (p) => p.action === "rerequested");
  const fullName = `${repo.owner}/${repo.name}`;
  const run = facts.checkRun;
  const checkSuite = {
    ...localize(payload.check_run.check_suite, ctx.site, [["github/hello-world", fullName]]),
    id: run.check_suite.id,
    head_branch: facts.headBranch,
    head_sha: run.head_sha,
    url: `${ctx.site.api}/repos/${fullName}/check-suites/${run.check_suite.id}`,
    pull_requests: run.pull_requests,
    app: run.app,
  };
  return {
    ...payload,
    action: "rerequested",
    check_run: { ...run, check_suite: checkSuite },
    repository: repositoryJson(repo, ctx.site, "listed"),
    installation: installationRef(ctx),
    sender: sender(ctx),
    organization: repo.ownerType === "Organization" ? userJson(repo.owner, repo.ownerId, ctx.site, "Organization") : undefined,
  };
}
