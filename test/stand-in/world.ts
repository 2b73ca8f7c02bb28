/**
 * Everything the stand-in knows: the app, its one installation on one owner, the repositories
 * (bare git repositories on disk plus their issues, pull requests, check runs and SARIF uploads),
 * forks of them owned by other users (outside the installation), the tokens minted, and who may
 * see what. The HTTP layers (rest.ts, graphql.ts, git-http.ts) ask this one place, so "a token
 * narrowed to `infra` cannot read `other`" holds for REST, GraphQL and git alike.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyObject } from "node:crypto";
import { parse } from "yaml";
import { allows, readCredentials, TokenStore, verifyAppJwt, type IssuedToken, type Permissions } from "./auth.js";
import { CheckRunStore } from "./checks.js";
import type { StoredSarif } from "./code-scanning.js";
import { newGitStats, type GitStats } from "./git-http.js";
import { IssueStore, type IdSource } from "./issues.js";
import { fnv1a } from "./prng.js";
import { DEFAULT_PULL_LIMITS, pullDiff, pullJson, type PullDiff, type PullLimits, type StoredPull } from "./pulls.js";
import { commitTo, git, initBare, resolveRef, type CommitChange, type CommitResult } from "./repos.js";
import { botJson, isoSeconds, localExample, repositoryJson, userJson, type Json, type RepoFacts, type Site } from "./shapes.js";

/** Who sent a request, after checking their credentials. */
export type Caller =
  | { kind: "none" }
  | { kind: "app" }
  | { kind: "installation"; token: IssuedToken }
  | { kind: "rejected"; message: string };

export interface RepoOptions {
  /** Files of a first commit; none: an empty repository (no commits). */
  files?: Record<string, string | Buffer>;
  message?: string;
  private?: boolean;
  archived?: boolean;
  fork?: boolean;
  hasIssues?: boolean;
  defaultBranch?: string;
  /** In the installation (default true); false: exists, but the app cannot see it. */
  installed?: boolean;
  /**
   * History below the first commit: its parent is `commit`, whose objects the repository reads from
   * `objects`, another bare repository's object directory (git's alternates, the way GitHub's forks
   * share one object store). Clones fetch that history as if it were the repository's own.
   */
  history?: { objects: string; commit: string };
}

export interface HostedRepo {
  id: number;
  nodeId: string;
  /** The installation's owner, or a fork's owner (a user the installation does not cover). */
  owner: string;
  name: string;
  /** The bare repository on disk. */
  dir: string;
  private: boolean;
  archived: boolean;
  fork: boolean;
  hasIssues: boolean;
  defaultBranch: string;
  installed: boolean;
  createdAt: string;
  pushedAt: string | null;
  issues: IssueStore;
  git: GitStats;
  /** Pull requests into this repository, by number. */
  pulls: Map<number, StoredPull>;
  checkRuns: CheckRunStore;
  /** SARIF uploads accepted, in order. */
  sarifs: StoredSarif[];
  /** False: code scanning answers 403 "Advanced Security must be enabled ...". */
  codeScanning: boolean;
}

/** How a test opens a pull request. */
export interface PullOptions {
  /** Head branch (of `fork` when given, else of the base repository); created from `base` when it does not exist. */
  branch: string;
  /** Base branch (default: the repository's default branch). */
  base?: string;
  /** A fork (see `createFork`) the head branch is in. */
  fork?: HostedRepo;
  /** Files of a commit made on the head branch before opening (none: the branch as it is). */
  files?: Record<string, string | Buffer>;
  remove?: string[];
  message?: string;
  title?: string;
  body?: string | null;
  draft?: boolean;
  /** Who opens it (default: the fork's owner, or `developer`). */
  author?: string;
}

export interface WorldOptions {
  appId: number;
  publicKey: KeyObject;
  owner: string;
  ownerType: "Organization" | "User";
  installationId: number;
  appSlug: string;
  tokenTtlSeconds: number;
  /** What the installation was granted (app.yml's default_permissions by default). */
  permissions: Permissions;
}

/** The app's manifest (app.yml at the repository root, from test/stand-in/ or from dist/test/stand-in/). */
function readManifest(): { default_permissions: Permissions; default_events: string[] } {
  for (const up of ["../../app.yml", "../../../app.yml"]) {
    let text: string;
    try {
      text = readFileSync(new URL(up, import.meta.url), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    return parse(text);
  }
  throw new Error("app.yml not found above test/stand-in/");
}

const MANIFEST = readManifest();

/**
 * What a new installation is granted: app.yml's default_permissions, read from the file so the
 * stand-in grants what the shipped app asks for. A permission app.yml does not request (code
 * scanning's `security_events: write`) is granted by a test with `permissions` or `setPermissions`.
 */
export const DEFAULT_PERMISSIONS: Permissions = { ...MANIFEST.default_permissions };
/** app.yml's default_events. */
export const DEFAULT_EVENTS: readonly string[] = [...MANIFEST.default_events];

/** The login that pushes and opens pull requests in the installation's repositories. */
export const DEVELOPER = "developer";

export class World {
  readonly tokens: TokenStore;
  readonly repos = new Map<string, HostedRepo>();
  /** Repositories of other owners (forks), by `owner/name` in lower case; never in the installation. */
  readonly forks = new Map<string, HostedRepo>();
  /** GitHub's limits on listing a pull request's files. */
  pullLimits: PullLimits = { ...DEFAULT_PULL_LIMITS };
  private readonly diffs = new Map<string, Promise<PullDiff>>();
  readonly ownerId = 9_100_001;
  readonly botId: number;
  private counters = { repo: 700_000_000, issue: 3_000_000_000, comment: 2_000_000_000, label: 6_000_000_000, pull: 1_500_000_000, checkRun: 20_000_000_000 };
  readonly ids: IdSource = { next: (kind) => ++this.counters[kind] };

  private constructor(
    readonly options: WorldOptions,
    readonly site: Site,
    /** Holds `OWNER/REPO.git`: http-backend's GIT_PROJECT_ROOT. */
    readonly root: string,
  ) {
    this.tokens = new TokenStore(options.tokenTtlSeconds);
    this.botId = 41_000_000 + options.appId;
  }

  static async create(options: WorldOptions, site: Site): Promise<World> {
    return new World(options, site, await mkdtemp(join(tmpdir(), "keywarden-stand-in-")));
  }

  now(): number {
    return Date.now();
  }

  get bot(): Json {
    return botJson(this.options.appSlug, this.botId, this.site);
  }

  // -------------------------------------------------------------------------------------------
  // Repositories.

  repo(name: string): HostedRepo {
    const found = this.repos.get(name.toLowerCase());
    if (!found) throw new Error(`no stand-in repository ${name}`);
    return found;
  }

  findRepo(owner: string, name: string): HostedRepo | undefined {
    if (owner.toLowerCase() !== this.options.owner.toLowerCase()) return this.forks.get(`${owner}/${name}`.toLowerCase());
    return this.repos.get(name.toLowerCase());
  }

  findRepoById(id: number): HostedRepo | undefined {
    return [...this.repos.values(), ...this.forks.values()].find((r) => r.id === id);
  }

  private hostedRepo(owner: string, name: string, dir: string, options: RepoOptions): HostedRepo {
    const id = ++this.counters.repo;
    return {
      id,
      nodeId: `R_kgDO${id}`,
      owner,
      name,
      dir,
      private: options.private ?? true,
      archived: options.archived ?? false,
      fork: options.fork ?? false,
      hasIssues: options.hasIssues ?? true,
      defaultBranch: options.defaultBranch ?? "main",
      installed: options.installed ?? true,
      createdAt: isoSeconds(this.now()),
      pushedAt: null,
      issues: new IssueStore({ owner, repo: name, site: this.site, ids: this.ids, now: () => this.now() }),
      git: newGitStats(),
      pulls: new Map(),
      checkRuns: new CheckRunStore({ now: () => this.now(), nextId: () => ++this.counters.checkRun }),
      sarifs: [],
      codeScanning: true,
    };
  }

  async createRepo(name: string, options: RepoOptions = {}): Promise<HostedRepo> {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.endsWith(".git")) throw new Error(`not a repository name GitHub accepts: ${name}`);
    if (this.repos.has(name.toLowerCase())) throw new Error(`repository ${name} exists`);
    const dir = join(this.root, this.options.owner, `${name}.git`);
    const repo = this.hostedRepo(this.options.owner, name, dir, options);
    await initBare(dir, repo.defaultBranch);
    if (options.history) await writeFile(join(dir, "objects", "info", "alternates"), `${options.history.objects}\n`);
    this.repos.set(name.toLowerCase(), repo);
    if (options.files) await this.commit(name, { files: options.files, message: options.message ?? "initial commit", from: options.history?.commit });
    return repo;
  }

  async commit(name: string, change: CommitChange): Promise<CommitResult> {
    return this.commitIn(this.repo(name), change);
  }

  /** Commit to any hosted repository, a fork included. */
  async commitIn(repo: HostedRepo, change: CommitChange): Promise<CommitResult> {
    const result = await commitTo(repo.dir, repo.name, change.branch ?? repo.defaultBranch, change);
    repo.pushedAt = isoSeconds(this.now());
    return result;
  }

  /**
   * A fork of installation repository `name` owned by the user `owner`: a bare repository of its own
   * (with the base's branches as they are now), public, outside the installation, so a token of
   * the installation can neither read it over the API (404) nor clone it (401).
   */
  async createFork(name: string, owner: string): Promise<HostedRepo> {
    const base = this.repo(name);
    if (owner.toLowerCase() === this.options.owner.toLowerCase()) throw new Error("a fork belongs to another owner than the installation's");
    const key = `${owner}/${base.name}`.toLowerCase();
    if (this.forks.has(key)) throw new Error(`fork ${owner}/${base.name} exists`);
    const dir = join(this.root, owner, `${base.name}.git`);
    const fork = this.hostedRepo(owner, base.name, dir, { private: false, fork: true, defaultBranch: base.defaultBranch, installed: false });
    await initBare(dir, base.defaultBranch);
    await git(["--git-dir", dir, "fetch", "--quiet", "--no-tags", base.dir, "+refs/heads/*:refs/heads/*"]);
    this.forks.set(key, fork);
    return fork;
  }

  // -------------------------------------------------------------------------------------------
  // Pull requests.

  pull(repo: HostedRepo, number: number): StoredPull {
    const found = repo.pulls.get(number);
    if (!found) throw new Error(`no pull request #${number} in ${repo.name}`);
    return found;
  }

  /** The head repository of `pull` (the base repository, or the fork). */
  headRepoOf(base: HostedRepo, pull: StoredPull): HostedRepo {
    return pull.headRepo.fork ? this.forks.get(`${pull.headRepo.owner}/${pull.headRepo.name}`.toLowerCase())! : base;
  }

  /** Point the base repository's `refs/pull/N/head` at the head branch's commit (fetched from a fork). */
  private async moveHeadRef(base: HostedRepo, head: HostedRepo, pull: StoredPull): Promise<string> {
    const ref = `refs/pull/${pull.number}/head`;
    if (head === base) {
      const sha = await resolveRef(base.dir, `refs/heads/${pull.headRef}`);
      if (!sha) throw new Error(`no branch ${pull.headRef} in ${base.name}`);
      await git(["--git-dir", base.dir, "update-ref", ref, sha]);
    } else {
      await git(["--git-dir", base.dir, "fetch", "--quiet", "--no-tags", head.dir, `+refs/heads/${pull.headRef}:${ref}`]);
    }
    const sha = (await resolveRef(base.dir, ref))!;
    pull.headSha = sha;
    pull.baseSha = (await resolveRef(base.dir, `refs/heads/${pull.baseRef}`)) ?? pull.baseSha;
    if (pull.heads.at(-1) !== sha) pull.heads.push(sha);
    return sha;
  }

  async openPull(name: string, options: PullOptions): Promise<StoredPull> {
    const base = this.repo(name);
    const head = options.fork ?? base;
    const baseRef = options.base ?? base.defaultBranch;
    if (!(await resolveRef(base.dir, `refs/heads/${baseRef}`))) throw new Error(`no base branch ${baseRef} in ${base.name}`);
    if (options.files || options.remove || !(await resolveRef(head.dir, `refs/heads/${options.branch}`))) {
      await this.commitIn(head, { branch: options.branch, from: baseRef, files: options.files, remove: options.remove, message: options.message ?? `change on ${options.branch}` });
    }
    const number = base.issues.takeNumber();
    const now = isoSeconds(this.now());
    const pull: StoredPull = {
      id: ++this.counters.pull,
      number,
      nodeId: `PR_kwDO${base.id}_${number}`,
      title: options.title ?? `Change ${options.branch}`,
      body: options.body ?? null,
      state: "open",
      draft: options.draft ?? false,
      baseRef,
      headRef: options.branch,
      headRepo: { owner: head.owner, name: head.name, fork: head !== base },
      headSha: "",
      baseSha: "",
      author: options.author ?? (head === base ? DEVELOPER : head.owner),
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      heads: [],
    };
    base.pulls.set(number, pull);
    await this.moveHeadRef(base, head, pull);
    return pull;
  }

  /** Commit `change` to the pull request's head branch (in its fork if it has one) and move `refs/pull/N/head`. */
  async pushToPull(name: string, number: number, change: Omit<CommitChange, "branch" | "from">): Promise<CommitResult> {
    const base = this.repo(name);
    const pull = this.pull(base, number);
    const head = this.headRepoOf(base, pull);
    const result = await this.commitIn(head, { ...change, branch: pull.headRef });
    await this.moveHeadRef(base, head, pull);
    pull.updatedAt = isoSeconds(this.now());
    return result;
  }

  setPullState(name: string, number: number, state: "open" | "closed"): StoredPull {
    const pull = this.pull(this.repo(name), number);
    pull.state = state;
    pull.closedAt = state === "closed" ? isoSeconds(this.now()) : null;
    pull.updatedAt = isoSeconds(this.now());
    return pull;
  }

  /** The pull request's diff, computed once per base tip, head and limits (each page of files reads it). */
  async pullDiff(base: HostedRepo, pull: StoredPull): Promise<PullDiff> {
    const baseSha = await resolveRef(base.dir, `refs/heads/${pull.baseRef}`);
    const key = `${base.dir}\0${baseSha}\0${pull.headSha}\0${JSON.stringify(this.pullLimits)}`;
    let diff = this.diffs.get(key);
    if (!diff) {
      diff = pullDiff(base.dir, pull.baseRef, pull.headSha, this.pullLimits);
      this.diffs.set(key, diff);
      diff.catch(() => this.diffs.delete(key));
    }
    return diff;
  }

  async pullJson(base: HostedRepo, pull: StoredPull): Promise<Json> {
    const head = this.headRepoOf(base, pull);
    const diff = await this.pullDiff(base, pull);
    const baseSha = (await resolveRef(base.dir, `refs/heads/${pull.baseRef}`)) ?? diff.mergeBase;
    return pullJson(pull, { site: this.site, base: this.facts(base), head: this.facts(head), baseSha, diff, author: { login: pull.author, id: this.userId(pull.author) } });
  }

  /** A stable id for a user login (the developer, a fork's owner). */
  userId(login: string): number {
    return 800_000_000 + (fnv1a(login) % 100_000_000);
  }

  /** The default branch's HEAD, undefined for an empty repository. */
  head(repo: HostedRepo): Promise<string | undefined> {
    return resolveRef(repo.dir, `refs/heads/${repo.defaultBranch}`);
  }

  facts(repo: HostedRepo): RepoFacts {
    return {
      id: repo.id,
      nodeId: repo.nodeId,
      owner: repo.owner,
      ownerId: repo.owner === this.options.owner ? this.ownerId : this.userId(repo.owner),
      ownerType: repo.owner === this.options.owner ? this.options.ownerType : "User",
      name: repo.name,
      private: repo.private,
      archived: repo.archived,
      fork: repo.fork,
      hasIssues: repo.hasIssues,
      defaultBranch: repo.defaultBranch,
      createdAt: repo.createdAt,
      pushedAt: repo.pushedAt,
      openIssues: repo.issues.openCount(),
    };
  }

  repositoryJson(repo: HostedRepo, shape: "full" | "listed"): Json {
    return repositoryJson(this.facts(repo), this.site, shape);
  }

  installedRepos(): HostedRepo[] {
    return [...this.repos.values()].filter((r) => r.installed).sort((a, b) => a.id - b.id);
  }

  // -------------------------------------------------------------------------------------------
  // The app and its installation.

  appJson(): Json {
    const { appId, appSlug, permissions } = this.options;
    return {
      ...localExample("integration", this.site, [["/users/octocat", `/users/${this.options.owner}`]]),
      id: appId,
      slug: appSlug,
      node_id: `A_kwDO${appId}`,
      client_id: `Iv23li${String(appId).padStart(14, "0")}`,
      name: appSlug,
      owner: userJson(this.options.owner, this.ownerId, this.site, this.options.ownerType),
      html_url: `${this.site.web}/apps/${appSlug}`,
      permissions,
      events: [...DEFAULT_EVENTS],
    };
  }

  installationJson(): Json {
    const { installationId, appId, appSlug, permissions } = this.options;
    const base = localExample("base-installation", this.site);
    const selection = [...this.repos.values()].every((r) => r.installed) ? "all" : "selected";
    return {
      ...base,
      id: installationId,
      account: userJson(this.options.owner, this.ownerId, this.site, this.options.ownerType),
      access_tokens_url: `${this.site.api}/app/installations/${installationId}/access_tokens`,
      repositories_url: `${this.site.api}/installation/repositories`,
      html_url: `${this.site.web}/organizations/${this.options.owner}/settings/installations/${installationId}`,
      app_id: appId,
      app_slug: appSlug,
      target_id: this.ownerId,
      target_type: this.options.ownerType,
      permissions,
      events: [...DEFAULT_EVENTS],
      repository_selection: selection,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_at: null,
      suspended_by: null,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Credentials and visibility.

  /** Check an Authorization header: a valid app JWT, a live installation token, or neither. */
  caller(authorization: string | undefined): Caller {
    const credentials = readCredentials(authorization);
    switch (credentials.kind) {
      case "none":
        return { kind: "none" };
      case "malformed":
        return { kind: "rejected", message: "Bad credentials" };
      case "jwt": {
        const check = verifyAppJwt(credentials.jwt, this.options.publicKey, this.options.appId, Math.floor(this.now() / 1000));
        return check.ok ? { kind: "app" } : { kind: "rejected", message: check.message };
      }
      case "token":
      case "basic": {
        const token = credentials.kind === "token" ? credentials.token : credentials.password;
        const found = this.tokens.check(token, this.now());
        return typeof found === "string" ? { kind: "rejected", message: "Bad credentials" } : { kind: "installation", token: found };
      }
    }
  }

  /** Whether `token` covers `repo` (installed, and inside the token's repository list if narrowed). */
  covers(token: IssuedToken, repo: HostedRepo): boolean {
    if (token.installationId !== this.options.installationId || !repo.installed) return false;
    return token.repositories === undefined || token.repositories.some((n) => n.toLowerCase() === repo.name.toLowerCase());
  }

  allows(token: IssuedToken, permission: string, level: "read" | "write"): boolean {
    return allows(token.permissions, permission, level);
  }

  async close(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
