/**
 * Self-tests of the stand-in's pull requests, check runs, SARIF uploads and pull_request webhooks,
 * driven with a real @octokit/rest client and @octokit/auth-app as Keywarden drives GitHub, and
 * real git: the changed files are checked against what `git` itself says of the same commits.
 */
import { execFile } from "node:child_process";
import { generateKeyPair } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { verify as verifySignature } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandIn, type Permissions, type StandIn } from "./index.js";

const APP_ID = 321;
const INSTALLATION_ID = 5151;
const OWNER = "octo-org";
const SECRET = "pulls-webhook-secret";
const GRANTED: Permissions = { metadata: "read", contents: "read", issues: "write", pull_requests: "read", checks: "write", security_events: "write" };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const run = promisify(execFile);

let gh: StandIn;
let privateKey: string;

function appOctokit(): Octokit {
  return new Octokit({ log: quiet, baseUrl: gh.apiUrl, authStrategy: createAppAuth, auth: { appId: APP_ID, privateKey } });
}

/** A fresh installation token (with the permissions granted now). */
async function mint(body: Record<string, unknown> = {}): Promise<string> {
  const { data } = await appOctokit().request("POST /app/installations/{installation_id}/access_tokens", { installation_id: INSTALLATION_ID, ...body });
  return data.token;
}

async function client(body: Record<string, unknown> = {}): Promise<Octokit> {
  return new Octokit({ log: quiet, baseUrl: gh.apiUrl, auth: await mint(body) });
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; message: string; response?: { data: unknown; headers: Record<string, string> } }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error("expected the request to fail");
}

const KEY_TF = 'resource "aws_iam_access_key" "root" {\n  user = "root"\n}\n';

beforeAll(async () => {
  const keys = await promisify(generateKeyPair)("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  privateKey = keys.privateKey;
  gh = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: SECRET, owner: OWNER, installationId: INSTALLATION_ID, appSlug: "keywarden", permissions: GRANTED });
  await gh.createRepo("infra", {
    files: { "main.tf": "# main\n", "old.tf": "# to be renamed\nline 2\nline 3\nline 4\n", "gone.tf": "# removed\n", "logo.bin": Buffer.from([0, 1, 2, 3]) },
  });
});

afterAll(async () => {
  await gh?.close();
});

describe("pull requests", () => {
  it("opens a same-repository pull request with refs/pull/N/head in the repository and GitHub's pull-request shape", async () => {
    await gh.seedIssue("infra", { title: "an issue takes #1" });
    const pr = await gh.openPull("infra", {
      branch: "add-key",
      title: "Add a key",
      files: { "iam.tf": KEY_TF, "main.tf": "# main\nmore\n", "new.tf": "# renamed\nline 2\nline 3\nline 4\n", "logo.bin": Buffer.from([9, 9, 0, 1]) },
      remove: ["old.tf", "gone.tf"],
    });
    expect(pr.number).toBe(2); // issues and pull requests share the numbers
    const head = (await run("git", ["--git-dir", gh.repo("infra").dir, "rev-parse", "refs/pull/2/head"])).stdout.trim();
    expect(pr.headSha).toBe(head);

    const octokit = await client();
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: OWNER, repo: "infra", pull_number: 2 });
    expect(data).toMatchObject({
      number: 2,
      state: "open",
      title: "Add a key",
      head: { ref: "add-key", sha: head, label: `${OWNER}:add-key`, repo: { full_name: `${OWNER}/infra` } },
      base: { ref: "main", sha: await gh.head("infra"), repo: { full_name: `${OWNER}/infra` } },
      changed_files: 5, // old.tf → new.tf is one renamed entry
      commits: 1,
      merged: false,
      html_url: `${gh.origin}/${OWNER}/infra/pull/2`,
    });
    expect(JSON.stringify(data)).not.toContain("api.github.com");
  });

  it("lists the changed files from git diff: statuses, counts, patches, renames, no patch for binaries", async () => {
    const octokit = await client();
    const files = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: OWNER, repo: "infra", pull_number: 2, per_page: 100 });
    const byName = new Map(files.map((f) => [f.filename, f]));
    expect(files.map((f) => [f.filename, f.status]).sort()).toEqual(
      [
        ["gone.tf", "removed"],
        ["iam.tf", "added"],
        ["logo.bin", "modified"],
        ["main.tf", "modified"],
        ["new.tf", "renamed"],
      ].sort(),
    );
    expect(byName.get("new.tf")).toMatchObject({ previous_filename: "old.tf", additions: 1, deletions: 1, changes: 2 });
    expect(byName.get("iam.tf")).toMatchObject({ additions: 3, deletions: 0, changes: 3, patch: '@@ -0,0 +1,3 @@\n+resource "aws_iam_access_key" "root" {\n+  user = "root"\n+}' });
    expect(byName.get("main.tf")!.patch).toBe("@@ -1 +1,2 @@\n # main\n+more");
    expect(byName.get("logo.bin")!.patch).toBeUndefined();
    expect(byName.get("gone.tf")).toMatchObject({ deletions: 1, patch: "@@ -1 +0,0 @@\n-# removed" });
    expect(byName.get("iam.tf")!.blob_url).toBe(`${gh.origin}/${OWNER}/infra/blob/${gh.pull("infra", 2).headSha}/iam.tf`);
    // The blob of the head commit, as git has it.
    const blob = (await run("git", ["--git-dir", gh.repo("infra").dir, "rev-parse", "refs/pull/2/head:iam.tf"])).stdout.trim();
    expect(byName.get("iam.tf")!.sha).toBe(blob);
  });

  it("paginates files with Link headers, lists at most the limit, and omits a patch over the size limit", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 130; i++) many[`mod/f${String(i).padStart(3, "0")}.tf`] = `# ${i}\n`;
    many["big.tf"] = "x = 1\n".repeat(200);
    const pr = await gh.openPull("infra", { branch: "many", files: many });
    const octokit = await client();
    const first = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: OWNER, repo: "infra", pull_number: pr.number, per_page: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain(`/repositories/${gh.repo("infra").id}/pulls/${pr.number}/files?per_page=100&page=2`);
    const capped = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: OWNER, repo: "infra", pull_number: pr.number, per_page: 500 });
    expect(capped.data).toHaveLength(100); // per_page is at most 100

    gh.setPullLimits({ maxListedFiles: 120, maxPatchLength: 1000 });
    try {
      const listed = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: OWNER, repo: "infra", pull_number: pr.number, per_page: 100 });
      expect(listed).toHaveLength(120);
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: OWNER, repo: "infra", pull_number: pr.number });
      expect(data.changed_files).toBe(131); // the real count, beyond what is listed
      const big = listed.find((f) => f.filename === "big.tf")!;
      expect(big).toMatchObject({ additions: 200, status: "added" });
      expect(big.patch).toBeUndefined();
    } finally {
      gh.setPullLimits({ maxListedFiles: 3000, maxPatchLength: 1_000_000 });
    }
  });

  it("opens a pull request from a fork the installation cannot see: the head is fetched into the base repository", async () => {
    const fork = await gh.createFork("infra", "outsider");
    const pr = await gh.openPull("infra", { branch: "patch-1", fork, files: { "fork.tf": KEY_TF } });
    const octokit = await client();
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: OWNER, repo: "infra", pull_number: pr.number });
    expect(data).toMatchObject({ head: { label: "outsider:patch-1", ref: "patch-1", sha: pr.headSha, repo: { full_name: "outsider/infra", fork: true } }, user: { login: "outsider" } });
    expect((await run("git", ["--git-dir", gh.repo("infra").dir, "rev-parse", `refs/pull/${pr.number}/head`])).stdout.trim()).toBe(pr.headSha);
    // The fork itself is hidden from the installation's token: 404 over REST, 401 over git.
    expect((await failure(octokit.request("GET /repos/{owner}/{repo}", { owner: "outsider", repo: "infra" }))).status).toBe(404);
    const basic = `Basic ${Buffer.from(`x-access-token:${await mint()}`).toString("base64")}`;
    const refs = await fetch(`${gh.origin}/outsider/infra.git/info/refs?service=git-upload-pack`, { headers: { authorization: basic } });
    expect(refs.status).toBe(401);
    const baseRefs = await fetch(`${gh.origin}/${OWNER}/infra.git/info/refs?service=git-upload-pack`, { headers: { authorization: basic } });
    expect(await baseRefs.text()).toContain(`${pr.headSha} refs/pull/${pr.number}/head`);

    // A push to the fork's branch moves refs/pull/N/head in the base repository.
    const opened = pr.headSha;
    const pushed = await gh.pushToPull("infra", pr.number, { files: { "fork.tf": "# fixed\n" } });
    expect(gh.pull("infra", pr.number).headSha).toBe(pushed.after);
    expect((await run("git", ["--git-dir", gh.repo("infra").dir, "rev-parse", `refs/pull/${pr.number}/head`])).stdout.trim()).toBe(pushed.after);
    expect(pushed.before).toBe(opened);
    expect(gh.pull("infra", pr.number).heads).toEqual([opened, pushed.after]);
  });

  it("requires pull_requests: read", async () => {
    gh.setPermissions({ metadata: "read", contents: "read", issues: "write" });
    try {
      const octokit = await client();
      const refused = await failure(octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: OWNER, repo: "infra", pull_number: 2 }));
      expect(refused).toMatchObject({ status: 403, message: expect.stringContaining("Resource not accessible by integration") });
      expect(refused.response!.headers["x-accepted-github-permissions"]).toBe("pull_requests=read");
    } finally {
      gh.setPermissions(GRANTED);
    }
  });
});

describe("check runs", () => {
  const annotation = (i: number) => ({ path: "iam.tf", start_line: i, end_line: i, annotation_level: "failure" as const, title: `rule ${i}`, message: `finding ${i}` });

  it("creates, completes and lists a run; annotations of successive PATCHes append in order", async () => {
    const octokit = await client();
    const sha = gh.pull("infra", 2).headSha;
    const { data: created, status } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: OWNER, repo: "infra", name: "Keywarden", head_sha: sha, status: "in_progress", external_id: "ext-1" });
    expect(status).toBe(201);
    expect(created).toMatchObject({ name: "Keywarden", head_sha: sha, status: "in_progress", conclusion: null, external_id: "ext-1", app: { id: APP_ID, slug: "keywarden" } });
    expect(created.pull_requests.map((p) => p.number)).toEqual([2]);
    const output = { title: "2 findings", summary: "## Keywarden\n" };
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      owner: OWNER,
      repo: "infra",
      check_run_id: created.id,
      status: "completed",
      conclusion: "failure",
      output: { ...output, annotations: Array.from({ length: 50 }, (_, i) => annotation(i + 1)) },
    });
    const { data: done } = await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      owner: OWNER,
      repo: "infra",
      check_run_id: created.id,
      output: { ...output, annotations: Array.from({ length: 20 }, (_, i) => annotation(i + 51)) },
    });
    expect(done).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "2 findings", annotations_count: 70 } });
    expect(done.completed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const stored = gh.checkRuns("infra").find((r) => r.id === created.id)!;
    expect(stored.annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
    expect(stored.writes.map((w) => [w.method, w.annotations])).toEqual([["POST", 0], ["PATCH", 50], ["PATCH", 20]]);

    const listed = await octokit.paginate("GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", { owner: OWNER, repo: "infra", check_run_id: created.id, per_page: 100 });
    expect(listed.map((a) => a.start_line)).toEqual(stored.annotations.map((a) => a.start_line));
    expect(listed[0]).toMatchObject({ path: "iam.tf", annotation_level: "failure", title: "rule 1", message: "finding 1", blob_href: `${gh.origin}/${OWNER}/infra/blob/${sha}/iam.tf` });

    const { data: forCommit } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner: OWNER, repo: "infra", ref: sha, check_name: "Keywarden" });
    expect(forCommit.total_count).toBe(1);
    expect(forCommit.check_runs[0]!.id).toBe(created.id);
    // By branch name too, as GitHub resolves any ref.
    const { data: byBranch } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner: OWNER, repo: "infra", ref: "add-key" });
    expect(byBranch.check_runs.map((r) => r.id)).toEqual([created.id]);
  });

  it("validates as GitHub does: 50 annotations a request, title and summary, lengths, status and conclusion", async () => {
    const octokit = await client();
    const sha = (await gh.head("infra"))!;
    const post = (body: Record<string, unknown>) => failure(octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: OWNER, repo: "infra", name: "Keywarden", head_sha: sha, ...body }));
    const refusals = [
      await post({ status: "completed", conclusion: "failure", output: { title: "t", summary: "s", annotations: Array.from({ length: 51 }, (_, i) => annotation(i + 1)) } }),
      await post({ output: { title: "t" } }),
      await post({ output: { summary: "s" } }),
      await post({ output: { title: "t", summary: "x".repeat(65_536) } }),
      await post({ output: { title: "t", summary: "s", text: "x".repeat(65_536) } }),
      await post({ status: "completed" }),
      await post({ status: "in_progress", conclusion: "success" }),
      await post({ conclusion: "stale" }),
      await post({ status: "done" }),
      await post({ output: { title: "t", summary: "s", annotations: [{ path: "a.tf", start_line: 1, annotation_level: "failure", message: "m" }] } }),
      await post({ output: { title: "t", summary: "s", annotations: [{ ...annotation(1), title: "x".repeat(256) }] } }),
      await post({ output: { title: "t", summary: "s", annotations: [{ ...annotation(1), message: "x".repeat(65_537) }] } }),
      await post({ head_sha: "0".repeat(40) }),
    ];
    expect(refusals.map((r) => r.status)).toEqual(Array(13).fill(422));
    expect(refusals[0]!.message).toContain("only 50 annotations are allowed per request");
    expect(refusals[1]!.message).toContain('"summary" wasn\'t supplied');
    expect(refusals[10]!.message).toContain("title is too long");
    expect(refusals[12]!.message).toContain("No commit found for SHA");
    expect(gh.checkRuns("infra").filter((r) => r.headSha === sha)).toEqual([]);

    // A conclusion alone completes the run; exactly 50 annotations and 65,535 characters pass.
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: OWNER,
      repo: "infra",
      name: "Keywarden",
      head_sha: sha,
      conclusion: "success",
      output: { title: "t", summary: "x".repeat(65_535), annotations: Array.from({ length: 50 }, (_, i) => annotation(i + 1)) },
    });
    expect(data).toMatchObject({ status: "completed", conclusion: "success" });
    expect(data.completed_at).not.toBeNull();
    expect((await failure(octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: OWNER, repo: "infra", check_run_id: data.id, output: { title: "t" } }))).status).toBe(422);
  });

  it("requires checks: write to write and answers 404 for an unknown run", async () => {
    const octokit = await client({ permissions: { contents: "read", checks: "read" } });
    const refused = await failure(octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: OWNER, repo: "infra", name: "Keywarden", head_sha: (await gh.head("infra"))! }));
    expect(refused).toMatchObject({ status: 403, message: expect.stringContaining("Resource not accessible by integration") });
    expect(refused.response!.data).toMatchObject({ message: "Resource not accessible by integration", documentation_url: expect.any(String) });
    expect(refused.response!.headers["x-accepted-github-permissions"]).toBe("checks=write");
    expect((await failure(octokit.request("GET /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: OWNER, repo: "infra", check_run_id: 1 }))).status).toBe(404);
    gh.setPermissions({ metadata: "read", contents: "read", issues: "write" });
    try {
      const without = await client();
      expect((await failure(without.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner: OWNER, repo: "infra", ref: "main" }))).status).toBe(403);
    } finally {
      gh.setPermissions(GRANTED);
    }
  });
});

describe("code scanning", () => {
  const sarif = { version: "2.1.0", runs: [{ tool: { driver: { name: "Keywarden" } }, results: [{ ruleId: "r", message: { text: "@team <b>" } }] }] };
  const encode = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value))).toString("base64");

  it("accepts gzip + base64 SARIF with 202 { id, url }, keeps it decoded, and reports it complete", async () => {
    const octokit = await client();
    const sha = (await gh.head("infra"))!;
    const { status, data } = await octokit.request("POST /repos/{owner}/{repo}/code-scanning/sarifs", { owner: OWNER, repo: "infra", commit_sha: sha, ref: "refs/heads/main", sarif: encode(sarif), tool_name: "Keywarden" });
    expect(status).toBe(202);
    expect(data.url).toBe(`${gh.apiUrl}/repos/${OWNER}/infra/code-scanning/sarifs/${data.id}`);
    expect(gh.sarifs("infra").at(-1)).toMatchObject({ id: data.id, commitSha: sha, ref: "refs/heads/main", toolName: "Keywarden", sarif });
    const { data: state } = await octokit.request("GET /repos/{owner}/{repo}/code-scanning/sarifs/{sarif_id}", { owner: OWNER, repo: "infra", sarif_id: data.id! });
    expect(state.processing_status).toBe("complete");
  });

  it("refuses what GitHub refuses: bad commit or ref (422), undecodable SARIF (400), no permission, not enabled (403)", async () => {
    const octokit = await client();
    const sha = (await gh.head("infra"))!;
    const upload = (body: Record<string, unknown>, on: Octokit = octokit) =>
      failure(on.request("POST /repos/{owner}/{repo}/code-scanning/sarifs", { owner: OWNER, repo: "infra", commit_sha: sha, ref: "refs/heads/main", sarif: encode(sarif), ...body }));
    const before = gh.sarifs("infra").length;
    expect((await upload({ commit_sha: "abc" })).status).toBe(422);
    expect((await upload({ ref: "main" })).status).toBe(422);
    expect((await upload({ sarif: "not base64 gzip!" })).status).toBe(400);
    expect((await upload({ sarif: Buffer.from(JSON.stringify(sarif)).toString("base64") })).status).toBe(400);
    const noPermission = await upload({}, await client({ permissions: { contents: "read" } }));
    expect(noPermission).toMatchObject({ status: 403, message: expect.stringContaining("Resource not accessible by integration") });
    gh.setCodeScanning("infra", false);
    try {
      expect(await upload({})).toMatchObject({ status: 403, message: expect.stringContaining("Advanced Security must be enabled") });
    } finally {
      gh.setCodeScanning("infra", true);
    }
    expect(gh.sarifs("infra")).toHaveLength(before);
  });
});

describe("pull_request webhooks", () => {
  let receiver: Server;
  const received: { event: string; body: string; signature: string }[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ event: String(req.headers["x-github-event"]), body: Buffer.concat(chunks).toString(), signature: String(req.headers["x-hub-signature-256"]) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    gh.webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it("delivers signed opened, synchronize, closed and reopened events with the world's numbers and SHAs", async () => {
    const pr = await gh.openPull("infra", { branch: "hooks", files: { "hooks.tf": "# 1\n" } });
    expect((await gh.deliverPullRequest("infra", pr.number, "opened")).status).toBe(202);
    const first = pr.headSha;
    const pushed = await gh.pushToPull("infra", pr.number, { files: { "hooks.tf": "# 2\n" } });
    await gh.deliverPullRequest("infra", pr.number, "synchronize");
    gh.closePull("infra", pr.number);
    await gh.deliverPullRequest("infra", pr.number, "closed");
    gh.reopenPull("infra", pr.number);
    await gh.deliverPullRequest("infra", pr.number, "reopened");

    const bodies = received.slice(-4).map((r) => JSON.parse(r.body));
    expect(received.slice(-4).map((r) => r.event)).toEqual(Array(4).fill("pull_request"));
    for (const r of received.slice(-4)) expect(await verifySignature(SECRET, r.body, r.signature)).toBe(true);
    expect(bodies.map((b) => [b.action, b.number, b.pull_request.state])).toEqual([
      ["opened", pr.number, "open"],
      ["synchronize", pr.number, "open"],
      ["closed", pr.number, "closed"],
      ["reopened", pr.number, "open"],
    ]);
    expect(bodies[0].pull_request.head.sha).toBe(first);
    expect(bodies[1]).toMatchObject({ before: first, after: pushed.after, pull_request: { head: { sha: pushed.after, ref: "hooks" }, base: { ref: "main" } } });
    expect(bodies[0]).not.toHaveProperty("before");
    expect(bodies[0]).toMatchObject({ installation: { id: INSTALLATION_ID }, repository: { full_name: `${OWNER}/infra`, id: gh.repo("infra").id }, organization: { login: OWNER } });
    expect(bodies[0].pull_request.changed_files).toBe(1);
  });
});
