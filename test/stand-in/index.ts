/**
 * # A GitHub stand-in for process-level tests
 *
 * The shipped `keywarden serve` runs as a child process with `GHE_HOST=127.0.0.1:PORT` and
 * `GHE_PROTOCOL=http`; it cannot be intercepted with nock, so it talks to this: a real HTTP server
 * inside the vitest process that speaks GitHub Enterprise Server's REST (`/api/v3`), GraphQL
 * (`/api/graphql`) and git smart HTTP (`/OWNER/REPO.git`), with GitHub's shapes (its published
 * examples), its auth rules, pagination, ETags, rate-limit headers, and injectable faults.
 *
 * ```ts
 * const gh = await startStandIn({ appId, publicKey, webhookSecret, owner: "octo-org", installationId: 4242, appSlug: "keywarden" });
 * const child = spawn("node", ["dist/src/cli/main.js", "serve"], { env: { ...process.env, ...gh.env(), APP_ID, PRIVATE_KEY, ... } });
 * gh.webhookUrl = "http://127.0.0.1:PORT2/api/github/webhooks";
 * const first = await gh.createRepo("infra", { files: { "main.tf": "..." } });  // bare repo + first commit
 * const change = await gh.commit("infra", { files: { "iam.tf": "..." }, remove: ["old.tf"], message: "add key" });
 * await gh.push("infra", change);            // signed push webhook → HTTP status from the app
 * gh.issues("infra");                        // issues with comments, labels, state transitions
 * const pr = await gh.openPull("infra", { branch: "add-key", files: { "iam.tf": "..." } });  // refs/pull/N/head in infra
 * const fork = await gh.createFork("infra", "outsider");
 * const fromFork = await gh.openPull("infra", { branch: "patch-1", fork, files: { "iam.tf": "..." } });
 * await gh.deliverPullRequest("infra", pr.number, "opened");   // signed pull_request webhook
 * await gh.pushToPull("infra", pr.number, { files: { "x.tf": "..." } }); await gh.deliverPullRequest("infra", pr.number, "synchronize");
 * gh.checkRuns("infra"); gh.sarifs("infra");   // stored runs (with annotations) and decoded SARIF uploads
 * gh.setPermissions({ contents: "read", issues: "write" });   // tokens minted from now on lack checks
 * gh.faults.set({ rate: 0.2, kinds: ["502", "applied-then-502"], seed: 7 });
 * gh.faults.once({ method: "POST", path: /\/issues$/ }, "applied-then-502");
 * const held = gh.hold({ method: "GET", path: /\/issues$/ }); await held.arrived; held.release();
 * gh.events.on("reply", (r: RecordedRequest) => ...);   // every request, once answered or dropped
 * expect(childOutput).not.toContain(gh.tokensIssued[0]);
 * await gh.close();
 * ```
 *
 * What it models (see each module's header for detail):
 * - auth.ts: the app JWT verified with the app's public key (RS256, `iss`, `iat`/`exp` with 60 s
 *   skew); installation tokens `ghs_…` with a TTL, narrowed by repositories and permissions.
 * - rest.ts: the endpoints Keywarden calls, GitHub's status codes (401/403/404/410/422), the app's
 *   bot user (`SLUG[bot]`, type Bot) as author of everything written with an installation token.
 * - graphql.ts: `nodes(ids:)` → `defaultBranchRef.target.oid` from the bare repository.
 * - git-http.ts: `git http-backend` per request, token required, partial clone on, per-repo stats.
 * - http-reply.ts / rate-limit.ts: Link pagination, weak ETags and 304, `x-ratelimit-*`.
 * - faults.ts / prng.ts: seeded or targeted 500, 502, secondary (403), 429, drop, applied-then-502.
 * - webhooks.ts: signed deliveries, redelivery, push / installation / pull_request / check_run payloads from
 *   GitHub's examples.
 * - pulls.ts: pull requests from a branch or a fork, `refs/pull/N/head` in the base repository,
 *   changed files from real `git diff` (patch omitted past a limit, at most 3,000 listed).
 * - checks.ts: check runs validated as GitHub does (50 annotations a request, output title and
 *   summary, 65,535 characters, status/conclusion rules), annotations appended.
 * - code-scanning.ts: SARIF uploads decoded from gzip + base64 and kept.
 * - repos.ts / issues.ts / world.ts / shapes.ts: the state and how it is shown.
 *
 * Not modelled: merging pull requests, `refs/pull/N/merge`, reviews, other GraphQL queries
 * (answered with an error), pushes over HTTP, more than one installation. Note that @octokit/auth-app caches installation tokens for 59 minutes
 * whatever their `expires_at`: a short `tokenTtlSeconds` makes a long-lived Probot process reuse an
 * expired token (401) where real GitHub (1 h tokens) never would; `expireTokens()` is the tool for
 * testing expiry of a single token.
 */
import type { KeyObject } from "node:crypto";
import type { EventEmitter } from "node:events";
import { toPublicKey, type IssuedToken, type Permissions } from "./auth.js";
import type { FaultMatcher, Faults } from "./faults.js";
import type { GitStats } from "./git-http.js";
import type { StoredIssue, StoredLabel } from "./issues.js";
import type { StoredAnnotation, StoredCheckRun } from "./checks.js";
import type { StoredSarif } from "./code-scanning.js";
import type { PullLimits, StoredPull } from "./pulls.js";
import type { CommitChange, CommitResult } from "./repos.js";
import { fnv1a } from "./prng.js";
import { checkRunJsonOf } from "./rest.js";
import { StandInServer, type Hold, type RecordedRequest } from "./server.js";
import { siteFor, userJson, type Json } from "./shapes.js";
import {
  checkRunRerequestedPayload,
  installationCreatedPayload,
  installationRepositoriesAddedPayload,
  pullRequestPayload,
  pushPayload,
  WebhookSender,
  type Delivery,
  type PullRequestAction,
  type PushFacts,
} from "./webhooks.js";
import { DEFAULT_PERMISSIONS, World, type HostedRepo, type PullOptions, type RepoOptions } from "./world.js";

export type { FaultKind, FaultMatcher, FaultScope, FaultSettings } from "./faults.js";
export type { Delivery, PullRequestAction, PushFacts } from "./webhooks.js";
export type { CommitChange, CommitResult, GitStats, HostedRepo, Hold, IssuedToken, Permissions, PullLimits, PullOptions, RecordedRequest, RepoOptions };
export type { StoredAnnotation, StoredCheckRun, StoredIssue, StoredLabel, StoredPull, StoredSarif };

export interface StandInOptions {
  appId: number;
  /** The app's public key (PEM or KeyObject): app JWTs must verify with it. */
  publicKey: string | KeyObject;
  webhookSecret: string;
  owner: string;
  installationId: number;
  appSlug: string;
  ownerType?: "Organization" | "User";
  /** Installation token lifetime (default 3600 s, as on GitHub). */
  tokenTtlSeconds?: number;
  /** Seed of seeded faults (default 1). */
  seed?: number;
  /** Permissions granted to the installation (default: app.yml's default_permissions). */
  permissions?: Permissions;
  /** Primary rate limit per identity (default 5000 per 3600 s). */
  rateLimit?: { limit?: number; windowSeconds?: number };
  webhookUrl?: string;
}

export interface StandIn {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** `http://127.0.0.1:PORT/api/v3`: Octokit's `baseUrl`. */
  readonly apiUrl: string;
  /** The environment that points Keywarden here. */
  env(): { GHE_HOST: string; GHE_PROTOCOL: "http" };
  /** Where `deliver` and `push` POST webhooks. */
  webhookUrl: string | undefined;

  /** Create a bare repository (with a first commit of `files` if given) in the installation. */
  createRepo(name: string, options?: RepoOptions): Promise<HostedRepo>;
  /** Commit files/removals to a branch (default: the default branch); returns before/after shas. */
  commit(repo: string, change: CommitChange): Promise<CommitResult>;
  /** Deliver the signed push webhook of `commit`; resolves the app's HTTP status. */
  push(repo: string, commit: CommitResult): Promise<number>;
  repo(name: string): HostedRepo;
  /** Default-branch HEAD (undefined: empty repository). */
  head(repo: string): Promise<string | undefined>;
  /** git requests, bytes served and blobless fetches of one repository. */
  gitStats(repo: string): GitStats;

  /** Issues of a repository, by number. */
  issues(repo: string): StoredIssue[];
  issue(repo: string, number: number): StoredIssue | undefined;
  /** An issue that existed before the test, authored by `author` (default: the app's bot). */
  seedIssue(repo: string, fields: { title: string; body?: string | null; labels?: string[]; author?: string; state?: "open" | "closed"; stateReason?: "completed" | "not_planned" }): StoredIssue;
  labels(repo: string): StoredLabel[];
  /** `creator=SLUG[bot]` matches nothing, as seen on GitHub Enterprise Cloud. */
  setCreatorFilterIgnoresBots(repo: string, broken: boolean): void;

  /** Every request in arrival order, with status, fault, auth kind, repository and JSON body. */
  readonly requests: RecordedRequest[];
  /** REST requests that change state (not GET, not GraphQL, not token minting, not git). */
  writes(): RecordedRequest[];
  readonly faults: Faults;
  /** `request` (on arrival) and `reply` (connection done: answered or dropped), each with its record. */
  readonly events: EventEmitter;
  /** Keep the next request `matcher` accepts waiting (before faults and the answer) until `release()`. */
  hold(matcher: FaultMatcher): Hold;
  /** Every installation token minted, in order. */
  readonly tokensIssued: readonly string[];
  readonly tokens: readonly IssuedToken[];
  /** Expire every token minted so far. */
  expireTokens(): void;

  /** Sign and POST a webhook; `redeliver` re-sends one with the same id and body. */
  deliver(event: string, payload: unknown): Promise<Delivery>;
  redeliver(deliveryId: string): Promise<Delivery>;
  readonly deliveries: readonly Delivery[];
  pushPayload(repo: string, push: PushFacts): Json;
  installationCreatedPayload(): Json;
  installationRepositoriesAddedPayload(repos: string[]): Json;

  /** A fork of installation repository `repo`, owned by the user `owner`, outside the installation. */
  createFork(repo: string, owner: string): Promise<HostedRepo>;
  /** Commit to a branch of any hosted repository, a fork included. */
  commitTo(repo: HostedRepo, change: CommitChange): Promise<CommitResult>;
  /** Open a pull request into `repo` (committing `files` on its branch first, if given); writes `refs/pull/N/head`. */
  openPull(repo: string, options: PullOptions): Promise<StoredPull>;
  /** Commit to the pull request's head branch (in its fork, if any) and move `refs/pull/N/head`. */
  pushToPull(repo: string, number: number, change: Omit<CommitChange, "branch" | "from">): Promise<CommitResult>;
  closePull(repo: string, number: number): StoredPull;
  reopenPull(repo: string, number: number): StoredPull;
  pull(repo: string, number: number): StoredPull;
  /**
   * The `pull_request` payload of `action` for the pull request as it is now; `synchronize`'s
   * `before` defaults to the head before the latest push.
   */
  pullRequestPayload(repo: string, number: number, action: PullRequestAction, options?: { before?: string }): Promise<Json>;
  /** Sign and deliver that payload; resolves once the app answered. */
  deliverPullRequest(repo: string, number: number, action: PullRequestAction, options?: { before?: string }): Promise<Delivery>;
  /** GitHub's limits on listing a pull request's files (3,000 files; patch length), for this stand-in. */
  setPullLimits(limits: Partial<PullLimits>): void;

  /** Check runs of a repository, in creation order, each with its annotations and writes. */
  checkRuns(repo: string): StoredCheckRun[];
  /**
   * Sign and deliver `check_run` / `rerequested` for check run `id` as GitHub shows it now (the
   * "Re-run" button); its suite's head branch is the open pull request's with that head, else the
   * default branch. Resolves once the app answered.
   */
  deliverCheckRunRerequested(repo: string, id: number): Promise<Delivery>;
  /** SARIF uploads a repository accepted, decoded. */
  sarifs(repo: string): StoredSarif[];
  /** false: code scanning answers 403 "Advanced Security must be enabled ...". */
  setCodeScanning(repo: string, enabled: boolean): void;
  /**
   * What the installation is granted from now on: tokens minted afterwards carry only these (an
   * organization owner accepting or not the app's new permissions). Tokens already minted keep
   * theirs, and @octokit/auth-app caches a token for 59 minutes: to run a child process without a
   * permission, set it before the process mints its first token (or start the stand-in with
   * `permissions`).
   */
  setPermissions(permissions: Permissions): void;

  close(): Promise<void>;
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  // Assigned once the server listens: the world's URLs name the server's origin.
  // eslint-disable-next-line prefer-const
  let world: World | undefined;
  const server = new StandInServer(() => world!, options.seed ?? 1, options.rateLimit);
  const origin = await server.listen();
  const site = siteFor(origin);
  world = await World.create(
    {
      appId: options.appId,
      publicKey: toPublicKey(options.publicKey),
      owner: options.owner,
      ownerType: options.ownerType ?? "Organization",
      installationId: options.installationId,
      appSlug: options.appSlug,
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      permissions: options.permissions ?? DEFAULT_PERMISSIONS,
    },
    site,
  );
  const w = world;
  const hooks = new WebhookSender(options.webhookSecret, options.appId);
  hooks.url = options.webhookUrl;
  const payloadContext = { site, owner: options.owner, ownerId: w.ownerId, ownerType: w.options.ownerType, installationId: options.installationId };
  const host = new URL(origin).host;

  const gh: StandIn = {
    origin,
    host,
    apiUrl: site.api,
    env: () => ({ GHE_HOST: host, GHE_PROTOCOL: "http" }),
    get webhookUrl() {
      return hooks.url;
    },
    set webhookUrl(url: string | undefined) {
      hooks.url = url;
    },
    createRepo: (name, repoOptions) => w.createRepo(name, repoOptions),
    commit: (repo, change) => w.commit(repo, change),
    async push(repo, commit) {
      const payload = gh.pushPayload(repo, { before: commit.before, after: commit.after, files: commit.files, branch: commit.branch, message: commit.message });
      return (await hooks.deliver("push", payload)).status;
    },
    repo: (name) => w.repo(name),
    head: (repo) => w.head(w.repo(repo)),
    gitStats: (repo) => w.repo(repo).git,
    issues: (repo) => [...w.repo(repo).issues.issues.values()].sort((a, b) => a.number - b.number),
    issue: (repo, number) => w.repo(repo).issues.issues.get(number),
    seedIssue(repo, fields) {
      const store = w.repo(repo).issues;
      const author = fields.author === undefined ? w.bot : userJson(fields.author, 800_000_000 + (fnv1a(fields.author) % 100_000_000), site);
      const issue = store.create({ title: fields.title, body: fields.body ?? null, labels: fields.labels ?? [] }, author);
      if (fields.state === "closed") store.edit(issue, { state: "closed", state_reason: fields.stateReason ?? "completed" }, author);
      return issue;
    },
    labels: (repo) => [...w.repo(repo).issues.labels.values()],
    setCreatorFilterIgnoresBots(repo, broken) {
      w.repo(repo).issues.creatorFilterIgnoresBots = broken;
    },
    requests: server.requests,
    writes: () => server.requests.filter((r) => r.write && r.scope === "api" && !r.graphql),
    faults: server.faults,
    events: server.events,
    hold: (matcher) => server.hold(matcher),
    get tokensIssued() {
      return w.tokens.issued.map((t) => t.token);
    },
    get tokens() {
      return w.tokens.issued;
    },
    expireTokens: () => w.tokens.expireAll(w.now()),
    deliver: (event, payload) => hooks.deliver(event, payload),
    redeliver: (id) => hooks.redeliver(id),
    deliveries: hooks.deliveries,
    pushPayload: (repo, push) => pushPayload(payloadContext, w.facts(w.repo(repo)), push),
    installationCreatedPayload: () => installationCreatedPayload(payloadContext, w.installationJson(), w.installedRepos().map((r) => w.facts(r))),
    installationRepositoriesAddedPayload: (repos) =>
      installationRepositoriesAddedPayload(payloadContext, w.installationJson(), repos.map((name) => w.facts(w.repo(name)))),
    createFork: (repo, owner) => w.createFork(repo, owner),
    commitTo: (repo, change) => w.commitIn(repo, change),
    openPull: (repo, pullOptions) => w.openPull(repo, pullOptions),
    pushToPull: (repo, number, change) => w.pushToPull(repo, number, change),
    closePull: (repo, number) => w.setPullState(repo, number, "closed"),
    reopenPull: (repo, number) => w.setPullState(repo, number, "open"),
    pull: (repo, number) => w.pull(w.repo(repo), number),
    async pullRequestPayload(repo, number, action, extra = {}) {
      const base = w.repo(repo);
      const pull = w.pull(base, number);
      const json = await w.pullJson(base, pull);
      const before = extra.before ?? pull.heads.at(-2) ?? pull.headSha;
      return pullRequestPayload(payloadContext, w.facts(base), { action, pull: json, before, after: pull.headSha });
    },
    async deliverPullRequest(repo, number, action, extra) {
      return hooks.deliver("pull_request", await gh.pullRequestPayload(repo, number, action, extra));
    },
    setPullLimits(limits) {
      Object.assign(w.pullLimits, limits);
    },
    checkRuns: (repo) => w.repo(repo).checkRuns.runs,
    async deliverCheckRunRerequested(repo, id) {
      const hosted = w.repo(repo);
      const run = hosted.checkRuns.runs.find((r) => r.id === id);
      if (!run) throw new Error(`no check run ${id} in ${repo}`);
      const pull = [...hosted.pulls.values()].find((p) => p.state === "open" && p.headSha === run.headSha);
      const payload = checkRunRerequestedPayload(payloadContext, w.facts(hosted), {
        checkRun: checkRunJsonOf(w, hosted, run),
        headBranch: pull?.headRef ?? hosted.defaultBranch,
      });
      return hooks.deliver("check_run", payload);
    },
    sarifs: (repo) => w.repo(repo).sarifs,
    setCodeScanning(repo, enabled) {
      w.repo(repo).codeScanning = enabled;
    },
    setPermissions(permissions) {
      w.options.permissions = { ...permissions };
    },
    async close() {
      await server.close();
      await w.close();
    },
  };
  return gh;
}
