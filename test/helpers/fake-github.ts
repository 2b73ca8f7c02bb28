/**
 * A whole GitHub App installation for end-to-end tests of the worker jobs: the app endpoints
 * (`GET /app`, installations, access tokens), the installation's repository list, each repository's
 * metadata (whose `clone_url` points at a real local git repository), `.github/keywarden.yml` through
 * the contents API, default-branch HEADs through GraphQL `nodes`, and each repository's issues,
 * comments and labels kept by a `FakeGitHubRepo` (test/helpers/github-nock.ts).
 *
 * FakeGitHubRepo intercepts every `/repos/` path for the one repository it models, so several of
 * them cannot each own a nock scope; this class owns the single scope and hands each repository's
 * issue traffic to that repository's fake. Every reply starts from GitHub's published example for the
 * operation. Every request is recorded, so tests can count reads and assert on writes. Listings
 * paginate as GitHub's do (`Link` with `next` and `last`, see `pageOf`).
 */
import nock from "nock";
import { errorReply, example, FakeGitHubRepo, GITHUB_API, GITHUB_WEB, installationTokenReply, pageOf, type RecordedRequest } from "./github-nock.js";

/** Distinctive, so a test can prove it reached no log, job, error or return value. */
export const INSTALLATION_TOKEN = "ghs_E2eInstallationTokenThatMustNeverLeak9f3Kq";

export interface RepoSpec {
  id: number;
  name: string;
  /** What `GET /repos/{owner}/{repo}` answers as `clone_url` (a `file://` test repository). */
  cloneUrl: string;
  defaultBranch?: string;
  hasIssues?: boolean;
  archived?: boolean;
  fork?: boolean;
}

interface Hosted {
  spec: RepoSpec;
  issues: FakeGitHubRepo;
  /** Default-branch HEAD reported by GraphQL; undefined: no HEAD (empty repository). */
  head?: string;
}

type Reply = [number, unknown, Record<string, string>?];

// The reply handler of FakeGitHubRepo is private; it is exactly what we need to delegate to.
type Handler = { handle(request: Request): Promise<Reply | Error> };

export class FakeGitHub {
  readonly owner: string;
  readonly appSlug: string;
  readonly installationId: number;
  /** Installations `GET /app/installations` lists (the fan-out jobs read it). */
  installations: number[];
  readonly requests: RecordedRequest[] = [];
  readonly repos = new Map<string, Hosted>();
  /** `owner/repo:path` → YAML text served by the contents API; anything else is a 404. */
  readonly files = new Map<string, string>();
  private scope: nock.Scope | undefined;

  constructor(w: { owner?: string; appSlug?: string; installationId?: number; installations?: number[] } = {}) {
    this.owner = w.owner ?? "octo-org";
    this.appSlug = w.appSlug ?? "keywarden";
    this.installationId = w.installationId ?? 4242;
    this.installations = w.installations ?? [this.installationId];
  }

  /** Add a repository to the installation; returns its issue store. */
  addRepo(spec: RepoSpec): FakeGitHubRepo {
    const issues = new FakeGitHubRepo({ owner: this.owner, repo: spec.name, appSlug: this.appSlug });
    this.repos.set(spec.name, { spec, issues });
    return issues;
  }

  repo(name: string): Hosted {
    const hosted = this.repos.get(name);
    if (!hosted) throw new Error(`no fake repository ${name}`);
    return hosted;
  }

  nodeId(name: string): string {
    return `R_kgDO${this.repo(name).spec.id}`;
  }

  setHead(name: string, sha: string | undefined): void {
    this.repo(name).head = sha;
  }

  setConfig(repo: string, yaml: string): void {
    this.files.set(`${this.owner}/${repo}:.github/keywarden.yml`, yaml);
  }

  /** Requests matching a method and a path test (string prefix or regexp on the path without query). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => {
      const bare = r.path.split("?")[0]!;
      return r.method === method.toUpperCase() && (typeof path === "string" ? bare.startsWith(path) : path.test(bare));
    });
  }

  /** Every request that is not a read (GraphQL queries are reads; token minting is not counted). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql" && !/\/access_tokens$/.test(r.path));
  }

  start(): this {
    const scope = nock(GITHUB_API).persist();
    for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) {
      scope.intercept(/.*/, method).reply(async (request: Request, callback?: (err: Error | null, result?: Reply) => void) => {
        // Two declared parameters: nock hands over a callback, which can also carry a dropped connection.
        const reply = await this.handle(request);
        if (reply instanceof Error) return callback!(reply);
        callback!(null, reply);
      });
    }
    this.scope = scope;
    return this;
  }

  stop(): void {
    this.scope?.persist(false);
    nock.cleanAll();
  }

  private repositoryJson(hosted: Hosted, shape: "full" | "listed"): Record<string, unknown> {
    const { spec } = hosted;
    const base = shape === "full" ? example("full-repository") : example("repository-paginated-2").repositories[0];
    const full_name = `${this.owner}/${spec.name}`;
    return {
      ...base,
      id: spec.id,
      node_id: this.nodeId(spec.name),
      name: spec.name,
      full_name,
      owner: { ...base.owner, login: this.owner, type: "Organization", url: `${GITHUB_API}/users/${this.owner}`, html_url: `${GITHUB_WEB}/${this.owner}` },
      private: true,
      fork: spec.fork ?? false,
      archived: spec.archived ?? false,
      has_issues: spec.hasIssues ?? true,
      // As GitHub counts them (pull requests aside, which the fake has none of): the scan skips the
      // issue listing of a repository with no finding and none open.
      open_issues_count: openIssues(hosted.issues),
      open_issues: openIssues(hosted.issues),
      default_branch: spec.defaultBranch ?? "main",
      html_url: `${GITHUB_WEB}/${full_name}`,
      url: `${GITHUB_API}/repos/${full_name}`,
      clone_url: spec.cloneUrl,
      ...(shape === "full" ? { parent: undefined, source: undefined, organization: undefined } : {}),
    };
  }

  private installationJson(id: number): Record<string, unknown> {
    const base = example("base-installation");
    return { ...base, id, account: { ...base.account, login: this.owner, type: "Organization" }, suspended_at: null, suspended_by: null };
  }

  private async handle(request: Request): Promise<Reply | Error> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const path = decodeURIComponent(url.pathname);
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);

    // A repository's issues, comments and labels: its FakeGitHubRepo records and answers.
    if (repoMatch && repoMatch[1] === this.owner && repoMatch[3] && !repoMatch[3].startsWith("/contents/")) {
      const hosted = this.repos.get(repoMatch[2]!);
      // Recorded here too (without the body, which the repository's own record keeps) for counting.
      this.requests.push({ method, path: `${url.pathname}${url.search}`, body: undefined });
      if (!hosted) return [404, errorReply(404, "Not Found")];
      return (hosted.issues as unknown as Handler).handle(request);
    }

    const text = method === "GET" ? "" : await request.text();
    const body = text ? JSON.parse(text) : undefined;
    const reply = this.route(method, path, url, repoMatch, body);
    this.requests.push({ method, path: `${url.pathname}${url.search}`, body });
    return reply;
  }

  private route(method: string, path: string, url: URL, repoMatch: RegExpExecArray | null, body: any): Reply {
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/app") return [200, { ...example("integration"), slug: this.appSlug }];
    if (method === "GET" && path === "/app/installations") {
      const template = example("base-installation-items")[0];
      return [200, this.installations.map((id) => ({ ...template, ...this.installationJson(id) }))];
    }
    if (method === "GET" && (m = /^\/app\/installations\/(\d+)$/.exec(path))) {
      return this.installations.includes(Number(m[1])) ? [200, this.installationJson(Number(m[1]))] : [404, errorReply(404, "Not Found")];
    }
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return [201, installationTokenReply({ token: INSTALLATION_TOKEN, repositories: body?.repositories, permissions: body?.permissions, owner: this.owner })];
    }
    if (method === "GET" && path === "/installation/repositories") {
      const all = [...this.repos.values()].map((h) => this.repositoryJson(h, "listed"));
      const [slice, headers] = pageOf(all, url);
      return [200, { total_count: all.length, repositories: slice }, headers];
    }
    if (method === "POST" && path === "/graphql") {
      const ids: string[] = body?.variables?.ids ?? [];
      const nodes = ids.map((id) => {
        const hosted = [...this.repos.values()].find((h) => this.nodeId(h.spec.name) === id);
        if (!hosted) return null;
        return { id, defaultBranchRef: hosted.head ? { target: { oid: hosted.head } } : null };
      });
      return [200, { data: { nodes } }];
    }
    if (repoMatch && method === "GET") {
      const [, owner, repo, rest] = repoMatch;
      if (rest?.startsWith("/contents/")) {
        const yaml = this.files.get(`${owner}/${repo}:${rest.slice("/contents/".length)}`);
        return yaml === undefined ? [404, errorReply(404, "Not Found")] : [200, yaml, { "content-type": "application/vnd.github.raw; charset=utf-8" }];
      }
      const hosted = owner === this.owner ? this.repos.get(repo!) : undefined;
      if (!rest && hosted) return [200, this.repositoryJson(hosted, "full")];
    }
    return [404, errorReply(404, "Not Found")];
  }
}

function openIssues(repo: FakeGitHubRepo): number {
  return [...repo.issues.values()].filter((i) => i.state === "open").length;
}
