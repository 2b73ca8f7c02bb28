/**
 * Self-tests of the GitHub stand-in, driven the way Keywarden drives GitHub: a real @octokit/rest
 * client with @octokit/auth-app (JWT, then installation tokens), Probot's config plugin, the GraphQL
 * query of src/github/default-branch-heads.ts, and real `git clone --filter=blob:none` over HTTP.
 * If the stand-in drifts from what those clients expect, these fail before a process-level test
 * misleads anyone.
 */
import { execFile } from "node:child_process";
import { generateKeyPair } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { verify as verifySignature } from "@octokit/webhooks-methods";
import { config as configPlugin } from "@probot/octokit-plugin-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchDefaultBranchHeads } from "../../src/github/default-branch-heads.js";
import { startStandIn, type FaultKind, type StandIn } from "./index.js";

const APP_ID = 123;
const INSTALLATION_ID = 4242;
const OWNER = "octo-org";
const SECRET = "stand-in-webhook-secret";

const generate = promisify(generateKeyPair);
async function rsaKeys(): Promise<{ privateKey: string; publicKey: string }> {
  return generate("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
}

// Octokit logs every failed request; the failures here are the point.
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let keys: { privateKey: string; publicKey: string };
let wrongKeys: { privateKey: string; publicKey: string };
let gh: StandIn;

function appOctokit(privateKey = keys.privateKey, appId = APP_ID): Octokit {
  return new Octokit({ log: quiet, baseUrl: gh.apiUrl, authStrategy: createAppAuth, auth: { appId, privateKey } });
}

function installationOctokit(): Octokit {
  return new Octokit({ log: quiet, baseUrl: gh.apiUrl, authStrategy: createAppAuth, auth: { appId: APP_ID, privateKey: keys.privateKey, installationId: INSTALLATION_ID } });
}

function tokenOctokit(token: string, on: StandIn = gh): Octokit {
  return new Octokit({ log: quiet, baseUrl: on.apiUrl, auth: token });
}

async function mint(body: Record<string, unknown> = {}): Promise<string> {
  const { data } = await appOctokit().request("POST /app/installations/{installation_id}/access_tokens", { installation_id: INSTALLATION_ID, ...body });
  return data.token;
}

/** Octokit's error status for a request expected to fail. */
async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    return (error as { status: number }).status;
  }
  throw new Error("expected the request to fail");
}

/** Clone as src/github/clone.ts does: blobless, the token in an origin-scoped extra header. */
function gitClone(url: string, token: string, dir: string, how = ["--filter=blob:none", "--depth", "1"]): Promise<{ ok: boolean; stderr: string }> {
  const config: [string, string][] = [[`http.${gh.origin}/.extraheader`, `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`]];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: "/nonexistent",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  return new Promise((resolve) => {
    execFile("git", ["clone", "--quiet", ...how, "--single-branch", "--", url, dir], { env }, (error, _stdout, stderr) =>
      resolve({ ok: !error, stderr: String(stderr) }),
    );
  });
}

let scratch: string;
beforeAll(async () => {
  [keys, wrongKeys] = await Promise.all([rsaKeys(), rsaKeys()]);
  gh = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: SECRET, owner: OWNER, installationId: INSTALLATION_ID, appSlug: "keywarden" });
  await gh.createRepo("infra", { files: { "main.tf": 'resource "aws_iam_access_key" "k" {\n  user = "root"\n}\n', "README.md": "# infra\n" } });
  await gh.createRepo("other", { files: { "other.tf": "# nothing\n" } });
  await gh.createRepo("empty");
  await gh.createRepo("no-issues", { files: { "x.tf": "" }, hasIssues: false });
  scratch = await mkdtemp(join(tmpdir(), "stand-in-test-"));
});

afterAll(async () => {
  await gh?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("app authentication", () => {
  it("verifies the JWT with the app's public key and mints ghs_ tokens", async () => {
    const { data: app } = await appOctokit().request("GET /app");
    expect(app).toMatchObject({ id: APP_ID, slug: "keywarden", html_url: `${gh.origin}/apps/keywarden` });
    expect(await statusOf(appOctokit(wrongKeys.privateKey).request("GET /app"))).toBe(401);
    expect(await statusOf(appOctokit(keys.privateKey, 999).request("GET /app"))).toBe(401);
    expect(await statusOf(tokenOctokit("not-a-jwt").request("GET /app"))).toBe(401);
    const refused = gh.requests.filter((r) => r.path === "/app" && r.status === 401);
    expect(refused.map((r) => r.auth)).toEqual(["rejected", "rejected", "rejected"]);

    const installations = await appOctokit().paginate("GET /app/installations", { per_page: 100 });
    expect(installations.map((i) => [i.id, i.account && "login" in i.account ? i.account.login : undefined])).toEqual([[INSTALLATION_ID, OWNER]]);

    const before = gh.tokensIssued.length;
    const { data: repos } = await installationOctokit().request("GET /installation/repositories", { per_page: 100 });
    expect(repos.repositories.map((r) => r.name)).toEqual(["infra", "other", "empty", "no-issues"]);
    expect(repos.repositories[0]!.clone_url).toBe(`${gh.origin}/${OWNER}/infra.git`);
    expect(gh.tokensIssued.length).toBe(before + 1);
    expect(gh.tokensIssued.at(-1)).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
  });

  it("refuses expired tokens", async () => {
    const shortLived = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: SECRET, owner: OWNER, installationId: INSTALLATION_ID, appSlug: "keywarden", tokenTtlSeconds: 1 });
    try {
      await shortLived.createRepo("infra");
      const app = new Octokit({ log: quiet, baseUrl: shortLived.apiUrl, authStrategy: createAppAuth, auth: { appId: APP_ID, privateKey: keys.privateKey } });
      const { data } = await app.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: INSTALLATION_ID });
      const expiresAt = Date.parse(data.expires_at);
      expect(expiresAt - Date.now()).toBeLessThanOrEqual(1000);
      const client = tokenOctokit(data.token, shortLived);
      expect((await client.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra" })).status).toBe(200);
      // Wait for the moment the token expires (whole seconds, as GitHub reports it), not a guess.
      const token = shortLived.tokens.at(-1)!;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, token.expiresAt - Date.now()) + 5));
      const error = await client.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra" }).catch((e: unknown) => e as { status: number; message: string });
      expect(error).toMatchObject({ status: 401, message: expect.stringContaining("Bad credentials") });
    } finally {
      await shortLived.close();
    }
    // And without waiting: expireTokens().
    const token = await mint();
    expect((await tokenOctokit(token).request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra" })).status).toBe(200);
    gh.expireTokens();
    expect(await statusOf(tokenOctokit(token).request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra" }))).toBe(401);
  });

  it("holds a token narrowed to one repository and contents:read to exactly that, over REST, GraphQL and git", async () => {
    const token = await mint({ repositories: ["infra"], permissions: { contents: "read" } });
    expect(gh.tokens.at(-1)).toMatchObject({ repositories: ["infra"], permissions: { contents: "read", metadata: "read" } });
    const client = tokenOctokit(token);
    expect((await client.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra" })).status).toBe(200);
    expect(await statusOf(client.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "other" }))).toBe(404);
    const forbidden = await client.request("POST /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "infra", title: "x" }).catch((e: unknown) => e as { status: number; message: string });
    expect(forbidden).toMatchObject({ status: 403, message: expect.stringContaining("Resource not accessible by integration") });
    const { data: listed } = await client.request("GET /installation/repositories");
    expect(listed.repositories.map((r) => r.name)).toEqual(["infra"]);

    const ok = await gitClone(`${gh.origin}/${OWNER}/infra.git`, token, join(scratch, "narrow-infra"));
    expect(ok).toMatchObject({ ok: true });
    expect(await readFile(join(scratch, "narrow-infra", "main.tf"), "utf8")).toContain("aws_iam_access_key");
    const refused = await gitClone(`${gh.origin}/${OWNER}/other.git`, token, join(scratch, "narrow-other"));
    expect(refused.ok).toBe(false);
    // git asks for credentials after the 401, and GIT_TERMINAL_PROMPT=0 refuses, as with GitHub.
    expect(refused.stderr).toMatch(/could not read Username|Authentication failed/);
    expect(gh.requests.filter((r) => r.scope === "git" && r.repo === "other").map((r) => r.status)).toContain(401);
    expect(gh.gitStats("other").refused).toBeGreaterThan(0);
    expect(gh.gitStats("infra").bloblessRequests).toBeGreaterThan(0);
    expect(gh.gitStats("infra").bytesServed).toBeGreaterThan(0);

    // Token minting refuses what the installation does not have.
    expect(await statusOf(mint({ repositories: ["nope"] }))).toBe(422);
    expect(await statusOf(mint({ permissions: { administration: "write" } }))).toBe(422);
    // Without any credentials, git is refused and told to authenticate.
    const response = await fetch(`${gh.origin}/${OWNER}/infra.git/info/refs?service=git-upload-pack`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="GitHub"');
  });

  it("serves a repository whose history is borrowed from another's objects, to a full clone and a shallow one", async () => {
    const base = await gh.createRepo("history-base", { files: { "app.go": "package main\n" } });
    const second = await gh.commit("history-base", { files: { "app.go": "package main\n// two\n" } });
    await gh.createRepo("borrower", { files: { "main.tf": "# infra\n" }, history: { objects: join(base.dir, "objects"), commit: second.after } });
    const token = await mint({ repositories: ["borrower"], permissions: { contents: "read" } });
    const count = (dir: string) => new Promise<string>((resolve, reject) => execFile("git", ["-C", dir, "rev-list", "--count", "HEAD"], (e, out) => (e ? reject(e) : resolve(out.trim()))));
    expect(await gitClone(`${gh.origin}/${OWNER}/borrower.git`, token, join(scratch, "borrower-full"), [])).toMatchObject({ ok: true });
    expect(await count(join(scratch, "borrower-full"))).toBe("3");
    expect(await readFile(join(scratch, "borrower-full", "app.go"), "utf8")).toContain("// two");
    expect(await gitClone(`${gh.origin}/${OWNER}/borrower.git`, token, join(scratch, "borrower-shallow"))).toMatchObject({ ok: true });
    expect(await count(join(scratch, "borrower-shallow"))).toBe("1");
  });

  it("answers the default-branch HEAD query of src/github/default-branch-heads.ts", async () => {
    const octokit = installationOctokit();
    const heads = await fetchDefaultBranchHeads(octokit.graphql, [gh.repo("infra").nodeId, gh.repo("empty").nodeId]);
    expect(heads.get(gh.repo("infra").nodeId)).toBe(await gh.head("infra"));
    expect(heads.has(gh.repo("empty").nodeId)).toBe(true);
    expect(heads.get(gh.repo("empty").nodeId)).toBeUndefined();
    const narrowed = tokenOctokit(await mint({ repositories: ["infra"] }));
    await expect(fetchDefaultBranchHeads(narrowed.graphql, [gh.repo("other").nodeId])).rejects.toThrow(/Could not resolve to a node/);
    expect(gh.requests.filter((r) => r.graphql).every((r) => r.scope === "api" && !r.write)).toBe(true);
  });
});

describe("REST behaviour", () => {
  it("paginates with GitHub's Link header: default 30, at most 100, /repositories/{id} links", async () => {
    await gh.createRepo("busy", { files: { "a.tf": "" } });
    for (let i = 1; i <= 130; i++) gh.seedIssue("busy", { title: `issue ${i}`, state: i % 3 === 0 ? "closed" : "open" });
    const octokit = installationOctokit();
    const all = await octokit.paginate("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "busy", state: "all", per_page: 100 });
    expect(all).toHaveLength(130);
    expect(all[0]!.number).toBe(130); // GitHub's default order: newest first
    const first = await octokit.request("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "busy", state: "all", per_page: 100 });
    const base = `${gh.apiUrl}/repositories/${gh.repo("busy").id}/issues`;
    expect(first.headers.link).toBe(`<${base}?state=all&per_page=100&page=2>; rel="next", <${base}?state=all&per_page=100&page=2>; rel="last"`);
    const second = await octokit.request("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "busy", state: "all", per_page: 100, page: 2 });
    expect(second.headers.link).toBe(`<${base}?state=all&per_page=100&page=1>; rel="prev", <${base}?state=all&per_page=100&page=1>; rel="first"`);
    expect((await octokit.request("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "busy" })).data).toHaveLength(30);
    expect((await octokit.request("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "busy", state: "all", per_page: 500 })).data).toHaveLength(100);
    const asc = await octokit.request("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "busy", state: "closed", direction: "asc", per_page: 5 });
    expect(asc.data.map((i) => i.number)).toEqual([3, 6, 9, 12, 15]);
  });

  it("sends a weak ETag, answers If-None-Match with a free 304, and rate-limit headers on every reply", async () => {
    const octokit = tokenOctokit(await mint());
    const first = await octokit.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra" });
    expect(first.headers.etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    for (const name of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset", "x-ratelimit-resource"]) {
      expect(first.headers[name], name).toBeDefined();
    }
    expect(first.headers["x-ratelimit-resource"]).toBe("core");
    const error = await octokit
      .request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra", headers: { "if-none-match": first.headers.etag! } })
      .catch((e: { status: number; response: { headers: Record<string, string> } }) => e);
    expect(error).toMatchObject({ status: 304 });
    expect((error as { response: { headers: Record<string, string> } }).response.headers["x-ratelimit-used"]).toBe(first.headers["x-ratelimit-used"]);
    const notFound = await octokit.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "missing" }).catch((e: { status: number; response: { headers: Record<string, string>; data: unknown } }) => e);
    expect(notFound).toMatchObject({ status: 404, response: { data: { message: "Not Found", status: "404" } } });
    expect(Number((notFound as { response: { headers: Record<string, string> } }).response.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000);
  });

  it("refuses with GitHub's primary rate-limit reply once the budget is spent", async () => {
    const tight = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: SECRET, owner: OWNER, installationId: INSTALLATION_ID, appSlug: "keywarden", rateLimit: { limit: 2 } });
    try {
      const app = new Octokit({ log: quiet, baseUrl: tight.apiUrl, authStrategy: createAppAuth, auth: { appId: APP_ID, privateKey: keys.privateKey } });
      expect((await app.request("GET /app")).headers["x-ratelimit-remaining"]).toBe("1");
      expect((await app.request("GET /app")).headers["x-ratelimit-remaining"]).toBe("0");
      const limited = await app.request("GET /app").catch((e: { status: number; message: string; response: { headers: Record<string, string> } }) => e);
      expect(limited).toMatchObject({ status: 403, message: expect.stringContaining("API rate limit exceeded for app ID 123"), response: { headers: { "x-ratelimit-remaining": "0" } } });
    } finally {
      await tight.close();
    }
  });

  it("runs the issue lifecycle as the app's bot user", async () => {
    const octokit = installationOctokit();
    const where = { owner: OWNER, repo: "infra" };
    const mark = gh.requests.length;
    expect(await statusOf(octokit.request("GET /repos/{owner}/{repo}/labels/{name}", { ...where, name: "keywarden" }))).toBe(404);
    await octokit.request("POST /repos/{owner}/{repo}/labels", { ...where, name: "keywarden", color: "b60205", description: "found by Keywarden" });
    const duplicate = await octokit.request("POST /repos/{owner}/{repo}/labels", { ...where, name: "Keywarden" }).catch((e: { status: number; response: { data: unknown } }) => e);
    expect(duplicate).toMatchObject({ status: 422, response: { data: { errors: [{ resource: "Label", code: "already_exists", field: "name" }] } } });

    const { data: created } = await octokit.request("POST /repos/{owner}/{repo}/issues", { ...where, title: "Root access key", body: "fix it", labels: ["keywarden", "severity:high"] });
    expect(created).toMatchObject({
      number: 1,
      state: "open",
      user: { login: "keywarden[bot]", type: "Bot" },
      html_url: `${gh.origin}/${OWNER}/infra/issues/1`,
      labels: [{ name: "keywarden", color: "b60205" }, { name: "severity:high", color: "ededed" }],
      comments: 0,
    });
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...where, issue_number: 1, body: "still there" });
    const { data: comments } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...where, issue_number: 1 });
    expect(comments.map((c) => [c.body, c.user?.login])).toEqual([["still there", "keywarden[bot]"]]);
    const { data: closed } = await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...where, issue_number: 1, state: "closed", state_reason: "not_planned" });
    expect(closed).toMatchObject({ state: "closed", state_reason: "not_planned", comments: 1, closed_by: { login: "keywarden[bot]" } });
    expect(closed.closed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const { data: reopened } = await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...where, issue_number: 1, state: "open", body: "back" });
    expect(reopened).toMatchObject({ state: "open", state_reason: "reopened", closed_at: null, body: "back" });

    const mine = await octokit.request("GET /repos/{owner}/{repo}/issues", { ...where, state: "all", creator: "keywarden[bot]" });
    expect(mine.data.map((i) => i.number)).toEqual([1]);
    expect(gh.issue("infra", 1)!.transitions.map((t) => [t.state, t.stateReason])).toEqual([
      ["open", null],
      ["closed", "not_planned"],
      ["open", "reopened"],
    ]);
    const writes = gh.writes().filter((r) => gh.requests.indexOf(r) >= mark);
    expect(writes.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /repos/octo-org/infra/labels 201",
      "POST /repos/octo-org/infra/labels 422",
      "POST /repos/octo-org/infra/issues 201",
      "POST /repos/octo-org/infra/issues/1/comments 201",
      "PATCH /repos/octo-org/infra/issues/1 200",
      "PATCH /repos/octo-org/infra/issues/1 200",
    ]);

    gh.setCreatorFilterIgnoresBots("infra", true);
    expect((await octokit.request("GET /repos/{owner}/{repo}/issues", { ...where, state: "all", creator: "keywarden[bot]" })).data).toEqual([]);
    gh.setCreatorFilterIgnoresBots("infra", false);
  });

  it("answers 410 for issues where has_issues is false, and 403 on an archived repository", async () => {
    const octokit = installationOctokit();
    const gone = await octokit.request("POST /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "no-issues", title: "x" }).catch((e: { status: number; message: string }) => e);
    expect(gone).toMatchObject({ status: 410, message: expect.stringContaining("Issues are disabled for this repo") });
    await gh.createRepo("attic", { files: { "a.tf": "" }, archived: true });
    expect(await statusOf(octokit.request("POST /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "attic", title: "x" }))).toBe(403);
  });

  it("serves .github/keywarden.yml through the contents API as Probot's config plugin reads it", async () => {
    const ConfigOctokit = Octokit.plugin(configPlugin);
    const octokit = new ConfigOctokit({ log: quiet, baseUrl: gh.apiUrl, authStrategy: createAppAuth, auth: { appId: APP_ID, privateKey: keys.privateKey, installationId: INSTALLATION_ID } });
    const missing = await octokit.config.get({ owner: OWNER, repo: "other", path: ".github/keywarden.yml" });
    expect(missing.config).toEqual({});
    // The plugin asked the repository, then the owner's `.github` repository (absent: 404).
    expect(missing.files.map((f) => f.url)).toEqual([
      `${gh.apiUrl}/repos/${OWNER}/other/contents/.github%2Fkeywarden.yml`,
      `${gh.apiUrl}/repos/${OWNER}/.github/contents/.github%2Fkeywarden.yml`,
    ]);
    const change = await gh.commit("other", { files: { ".github/keywarden.yml": "rules:\n  - terraform-aws-iam-access-key-is-exposed\n" } });
    expect(change.files).toEqual({ added: [".github/keywarden.yml"], modified: [], removed: [] });
    const found = await octokit.config.get({ owner: OWNER, repo: "other", path: ".github/keywarden.yml" });
    expect(found.config).toEqual({ rules: ["terraform-aws-iam-access-key-is-exposed"] });
    const json = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: OWNER, repo: "other", path: "other.tf", ref: change.before! });
    expect(json.data).toMatchObject({ type: "file", encoding: "base64", path: "other.tf" });
    expect(await statusOf(octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: OWNER, repo: "empty", path: "x" }))).toBe(404);
  });
});

describe("faults", () => {
  const where = { owner: OWNER, repo: "other" };

  it("injects each kind on the next matching request, observably", async () => {
    const octokit = installationOctokit();
    await octokit.request("GET /repos/{owner}/{repo}", where); // mint the installation token first
    const before = { ...gh.faults.injected };
    const outcomes: Record<string, unknown> = {};
    for (const kind of ["500", "502", "secondary", "429", "drop"] as FaultKind[]) {
      gh.faults.once({ method: "GET", path: "/repos/octo-org/other" }, kind);
      outcomes[kind] = await octokit.request("GET /repos/{owner}/{repo}", where).then(
        () => "ok",
        (e: { status: number; response?: { headers: Record<string, string>; data: { message?: string } } }) => ({
          status: e.status,
          retryAfter: e.response?.headers["retry-after"],
          secondary: /secondary rate limit/.test(e.response?.data?.message ?? ""),
        }),
      );
    }
    expect(outcomes).toEqual({
      "500": { status: 500, retryAfter: undefined, secondary: false },
      "502": { status: 502, retryAfter: undefined, secondary: false },
      secondary: { status: 403, retryAfter: "1", secondary: true },
      "429": { status: 429, retryAfter: "1", secondary: true },
      // A dropped connection: fetch fails, Octokit reports status 500 with no response.
      drop: { status: 500, retryAfter: undefined, secondary: false },
    });
    expect(gh.requests.at(-1)).toMatchObject({ fault: "drop", status: 0 });
    for (const kind of ["500", "502", "secondary", "429", "drop"] as FaultKind[]) expect(gh.faults.injected[kind] - before[kind]).toBe(1);
    expect((await octokit.request("GET /repos/{owner}/{repo}", where)).status).toBe(200);
  });

  it("applies the write before answering 502 with applied-then-502", async () => {
    const octokit = installationOctokit();
    gh.faults.once({ method: "POST", path: /\/issues$/ }, "applied-then-502");
    expect(await statusOf(octokit.request("POST /repos/{owner}/{repo}/issues", { ...where, title: "lost reply" }))).toBe(502);
    expect(gh.issues("other").map((i) => i.title)).toEqual(["lost reply"]);
    expect(gh.writes().at(-1)).toMatchObject({ status: 502, fault: "applied-then-502", body: { title: "lost reply" } });
  });

  it("fails token minting and git requests in their scopes", async () => {
    gh.faults.once({ scope: "tokens" }, "500");
    expect(await statusOf(mint())).toBe(500);
    const token = await mint({ repositories: ["infra"] });
    gh.faults.once({ scope: "git" }, "502");
    expect((await gitClone(`${gh.origin}/${OWNER}/infra.git`, token, join(scratch, "faulted"))).ok).toBe(false);
    expect((await gitClone(`${gh.origin}/${OWNER}/infra.git`, token, join(scratch, "after-fault"))).ok).toBe(true);
  });

  it("reproduces seeded faults run after run, and a different seed differs", async () => {
    const octokit = tokenOctokit(await mint());
    const run = async (seed: number): Promise<string[]> => {
      gh.faults.set({ rate: 0.4, kinds: ["500", "502", "429"], seed, scope: "api" });
      const seen: string[] = [];
      for (let page = 1; page <= 30; page++) {
        seen.push(
          await octokit.request("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "busy", page, per_page: 1 }).then(
            () => "ok",
            (e: { status: number }) => String(e.status),
          ),
        );
      }
      gh.faults.off();
      return seen;
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
    expect(first.filter((s) => s !== "ok").length).toBeGreaterThan(3);
    expect(new Set(first.filter((s) => s !== "ok"))).toEqual(new Set(["500", "502", "429"]));
  });
});

describe("request events and holds", () => {
  it("emits request on arrival and reply once answered or dropped, each with its record", async () => {
    const octokit = tokenOctokit(await mint());
    const arrived: string[] = [];
    const replied: string[] = [];
    const onRequest = (r: { url: string; status: number }) => arrived.push(`${r.url} ${r.status}`);
    const onReply = (r: { url: string; status: number; fault?: string }) => replied.push(`${r.url} ${r.status}${r.fault ? ` ${r.fault}` : ""}`);
    gh.events.on("request", onRequest);
    gh.events.on("reply", onReply);
    try {
      await octokit.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra" });
      gh.faults.once({ method: "GET", path: `/repos/${OWNER}/other` }, "drop");
      expect(await statusOf(octokit.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "other", request: { retries: 0 } }))).toBe(500);
    } finally {
      gh.events.off("request", onRequest);
      gh.events.off("reply", onReply);
    }
    expect(arrived).toEqual([`/api/v3/repos/${OWNER}/infra 0`, `/api/v3/repos/${OWNER}/other 0`]);
    expect(replied).toEqual([`/api/v3/repos/${OWNER}/infra 200`, `/api/v3/repos/${OWNER}/other 0 drop`]);
  });

  it("holds the next matching request until released, then answers it normally", async () => {
    const octokit = tokenOctokit(await mint());
    const held = gh.hold({ method: "GET", path: /\/issues$/ });
    let answered = false;
    const request = octokit.request("GET /repos/{owner}/{repo}/issues", { owner: OWNER, repo: "infra" }).then((r) => {
      answered = true;
      return r;
    });
    const record = await held.arrived;
    expect(record).toMatchObject({ method: "GET", path: `/repos/${OWNER}/infra/issues`, status: 0 });
    // Other requests go on while one is held.
    expect((await octokit.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "infra" })).status).toBe(200);
    expect(answered).toBe(false);
    held.release();
    expect((await request).status).toBe(200);
    expect(record.status).toBe(200);
  });
});

describe("webhooks", () => {
  let receiver: Server;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let next: (() => void) | undefined;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(202).end("queued");
        next?.();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    gh.webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it("delivers a signed push of a real commit, and redelivers it byte for byte", async () => {
    const change = await gh.commit("infra", { files: { "iam.tf": "# iam\n", "README.md": "# changed\n" }, remove: ["main.tf"], message: "rework" });
    expect(change.before).toBeTruthy();
    expect(await gh.head("infra")).toBe(change.after);
    expect(await gh.push("infra", change)).toBe(202);
    const delivery = received.at(-1)!;
    expect(delivery.headers["x-github-event"]).toBe("push");
    expect(await verifySignature(SECRET, delivery.body, String(delivery.headers["x-hub-signature-256"]))).toBe(true);
    expect(await verifySignature("wrong", delivery.body, String(delivery.headers["x-hub-signature-256"]))).toBe(false);
    const payload = JSON.parse(delivery.body);
    expect(payload).toMatchObject({
      ref: "refs/heads/main",
      before: change.before,
      after: change.after,
      created: false,
      installation: { id: INSTALLATION_ID },
      repository: { id: gh.repo("infra").id, full_name: `${OWNER}/infra`, default_branch: "main", clone_url: `${gh.origin}/${OWNER}/infra.git` },
      commits: [{ id: change.after, added: ["iam.tf"], modified: ["README.md"], removed: ["main.tf"] }],
    });

    const id = String(delivery.headers["x-github-delivery"]);
    const again = await gh.redeliver(id);
    expect(again).toMatchObject({ id, status: 202, attempts: 2 });
    expect(received.at(-1)!.body).toBe(delivery.body);
    expect(received.at(-1)!.headers["x-github-delivery"]).toBe(id);
  });

  it("builds installation payloads for the stand-in's installation", async () => {
    const created = gh.installationCreatedPayload();
    expect(created).toMatchObject({ action: "created", installation: { id: INSTALLATION_ID, account: { login: OWNER }, app_id: APP_ID } });
    expect(created.repositories.map((r: { name: string }) => r.name)).toContain("infra");
    const arrived = new Promise<void>((resolve) => (next = resolve));
    const sent = await gh.deliver("installation", created);
    await arrived;
    expect(sent.status).toBe(202);
    expect(gh.installationRepositoriesAddedPayload(["other"])).toMatchObject({ action: "added", repositories_added: [{ name: "other" }] });
  });
});
