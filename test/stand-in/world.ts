/**
 * Everything the stand-in knows: the app, its one installation on one owner, the repositories
 * (bare git repositories on disk plus their issues), the tokens minted, and who may see what. The
 * HTTP layers (rest.ts, graphql.ts, git-http.ts) ask this one place, so "a token narrowed to `infra`
 * cannot read `other`" holds for REST, GraphQL and git alike.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyObject } from "node:crypto";
import { allows, readCredentials, TokenStore, verifyAppJwt, type IssuedToken, type Permissions } from "./auth.js";
import { newGitStats, type GitStats } from "./git-http.js";
import { IssueStore, type IdSource } from "./issues.js";
import { commitTo, initBare, resolveRef, type CommitChange, type CommitResult } from "./repos.js";
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
}

export interface HostedRepo {
  id: number;
  nodeId: string;
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

export const DEFAULT_PERMISSIONS: Permissions = { metadata: "read", contents: "read", issues: "write" };

export class World {
  readonly tokens: TokenStore;
  readonly repos = new Map<string, HostedRepo>();
  readonly ownerId = 9_100_001;
  readonly botId: number;
  private counters = { repo: 700_000_000, issue: 3_000_000_000, comment: 2_000_000_000, label: 6_000_000_000 };
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
    if (owner.toLowerCase() !== this.options.owner.toLowerCase()) return undefined;
    return this.repos.get(name.toLowerCase());
  }

  findRepoById(id: number): HostedRepo | undefined {
    return [...this.repos.values()].find((r) => r.id === id);
  }

  async createRepo(name: string, options: RepoOptions = {}): Promise<HostedRepo> {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.endsWith(".git")) throw new Error(`not a repository name GitHub accepts: ${name}`);
    if (this.repos.has(name.toLowerCase())) throw new Error(`repository ${name} exists`);
    const id = ++this.counters.repo;
    const defaultBranch = options.defaultBranch ?? "main";
    const dir = join(this.root, this.options.owner, `${name}.git`);
    await initBare(dir, defaultBranch);
    const repo: HostedRepo = {
      id,
      nodeId: `R_kgDO${id}`,
      name,
      dir,
      private: options.private ?? true,
      archived: options.archived ?? false,
      fork: options.fork ?? false,
      hasIssues: options.hasIssues ?? true,
      defaultBranch,
      installed: options.installed ?? true,
      createdAt: isoSeconds(this.now()),
      pushedAt: null,
      issues: new IssueStore({ owner: this.options.owner, repo: name, site: this.site, ids: this.ids, now: () => this.now() }),
      git: newGitStats(),
    };
    this.repos.set(name.toLowerCase(), repo);
    if (options.files) await this.commit(name, { files: options.files, message: options.message ?? "initial commit" });
    return repo;
  }

  async commit(name: string, change: CommitChange): Promise<CommitResult> {
    const repo = this.repo(name);
    const result = await commitTo(repo.dir, repo.name, change.branch ?? repo.defaultBranch, change);
    repo.pushedAt = isoSeconds(this.now());
    return result;
  }

  /** The default branch's HEAD, undefined for an empty repository. */
  head(repo: HostedRepo): Promise<string | undefined> {
    return resolveRef(repo.dir, `refs/heads/${repo.defaultBranch}`);
  }

  facts(repo: HostedRepo): RepoFacts {
    return {
      id: repo.id,
      nodeId: repo.nodeId,
      owner: this.options.owner,
      ownerId: this.ownerId,
      ownerType: this.options.ownerType,
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
      events: ["push", "installation_repositories", "issues"],
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
      events: ["push", "installation_repositories", "issues"],
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
