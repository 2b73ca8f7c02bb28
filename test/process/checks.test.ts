/**
 * Check runs and code scanning, on the built `keywarden serve` against the GitHub stand-in and real
 * Redis: a pull request adding a root key fails its `Keywarden` check at the lines the seed example
 * gives, with no issue filed; compliant Terraform passes; a fork's pull request is fetched from the
 * base repository; a pull request without Terraform passes without a clone; more than 50
 * annotations go in batches; a push gets a check run next to its issues; an installation that has
 * not accepted `checks: write` still gets its issues; `codeScanning: true` uploads the scan's SARIF;
 * "Re-run" on a check run (`check_run` rerequested) checks its pull request or push again.
 */
import { describe, expect, it } from "vitest";
import type { Permissions, StoredCheckRun } from "../stand-in/index.js";
import { checkEveryScenario } from "./helpers/checks.js";
import type { Keywarden, LogLine } from "./helpers/child.js";
import { RULES } from "./helpers/census.js";
import { sampleValue, scrape } from "./helpers/prometheus.js";
import { OWNER, Scenario } from "./helpers/scenario.js";
import { FIXED, NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

/** What app.yml asks for: an installation that accepted the new permissions. */
const GRANTED: Permissions = { metadata: "read", contents: "read", issues: "write", checks: "write", pull_requests: "read", security_events: "write" };
/** An installation from before check runs (app.yml's first three permissions). */
const OLD_GRANT: Permissions = { metadata: "read", contents: "read", issues: "write" };

/** The seed example's findings: the user line (MEDIUM) and the status line (HIGH), both at or above the default minSeverity. */
const SEED_LINES: [string, number, string][] = [
  ["main.tf", 2, "failure"],
  ["main.tf", 4, "failure"],
];

async function started(permissions: Permissions = GRANTED): Promise<{ s: Scenario; serve: Keywarden }> {
  const s = await Scenario.start({ jobLockMs: 3000, permissions });
  await s.gh.createRepo("infra", { files: { "README.md": "# infra\n", "network.tf": 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n' } });
  return { s, serve: await s.serve() };
}

/**
 * The completed Keywarden check run on `sha`, once there is one and its job is done (annotations
 * past the first 50 are appended after the completing write).
 */
async function completedRun(s: Scenario, repo: string, sha: string): Promise<StoredCheckRun> {
  const find = () => s.gh.checkRuns(repo).find((r) => r.headSha === sha && r.status === "completed");
  await s.until(() => find() !== undefined, 30_000, `a completed check run on ${repo}@${sha.slice(0, 7)}`);
  await settled(s);
  return find()!;
}

/** Nothing left in any queue (so "no issue" is not just "not yet"). */
async function settled(s: Scenario): Promise<void> {
  await s.until(async () => (await s.queues.pending()) === 0, 30_000, "every queue drained");
}

/** Every line a check job logged names its job, installation, repository and pull request. */
function expectCheckLines(serve: Keywarden): LogLine[] {
  const lines = serve.lines.filter((l) => l.queue === "check");
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.filter((l) => l.jobId === undefined || l.installation === undefined || l.repo === undefined || l.pull === undefined)).toEqual([]);
  return lines;
}

const annotationsAt = (run: StoredCheckRun) => run.annotations.map((a) => [a.path, a.start_line, a.annotation_level]).sort();

describe("keywarden serve: pull requests → check runs", () => {
  it("fails a pull request adding a root key, with the two annotations at the seed example's lines, and files no issue", async () => {
    const { s, serve } = await started();
    const metrics = `http://127.0.0.1:${s.port}/metrics`;
    const before = await scrape(metrics);
    expect(sampleValue(before, "keywarden_check_runs_total", { trigger: "pull_request", conclusion: "failure" })).toBe(0);
    const pr = await s.gh.openPull("infra", { branch: "add-key", files: { "main.tf": NON_COMPLIANT }, title: "Add a key for root" });
    expect((await s.gh.deliverPullRequest("infra", pr.number, "opened")).status).toBe(200);

    const run = await completedRun(s, "infra", pr.headSha);
    expect(run).toMatchObject({ name: "Keywarden", conclusion: "failure" });
    // Started in_progress when the scan began, then completed with the annotations.
    expect(run.writes.map((w) => [w.method, w.status])).toEqual([
      ["POST", "in_progress"],
      ["PATCH", "completed"],
    ]);
    expect(annotationsAt(run)).toEqual(SEED_LINES);
    for (const a of run.annotations) {
      expect(a.title).toMatch(/\((terraform-aws-[a-z-]+)\)$/);
      expect(a.raw_details).toContain('status = "Inactive"');
    }
    expect(run.annotations.map((a) => a.title).join(" ")).toContain(RULES.high);
    expect(run.output.summary).toContain("aws_iam_access_key.positive2");
    expect(run.output.text).toContain("```diff");

    await settled(s);
    expect(s.gh.issues("infra")).toEqual([]);
    expect(s.gh.writes().filter((w) => /\/issues(\/|$)/.test(w.path))).toEqual([]);
    const checked = serve.lines.find((l) => l.msg === "pull request checked")!;
    expect(checked).toMatchObject({ queue: "check", installation: 4242, repo: `${OWNER}/infra`, pull: pr.number, conclusion: "failure", findings: 2, annotations: 2 });
    expectCheckLines(serve);
    const after = await scrape(metrics);
    expect(sampleValue(after, "keywarden_check_runs_total", { trigger: "pull_request", conclusion: "failure" })).toBe(1);
    expect(sampleValue(after, "keywarden_check_runs_total", { trigger: "pull_request", conclusion: "success" })).toBe(0);
    expect(sampleValue(after, "keywarden_jobs", { queue: "check", state: "completed" })).toBe(1);
    // The clone's token was narrowed to the repository, with contents: read (and metadata, as GitHub adds).
    const cloneTokens = s.gh.tokens.filter((t) => t.repositories !== undefined);
    expect(cloneTokens.map((t) => [t.repositories, t.permissions])).toEqual([[["infra"], { contents: "read", metadata: "read" }]]);
  }, 60_000);

  it("passes compliant Terraform, then fails the push that adds a key and passes the fix", async () => {
    const { s } = await started();
    const pr = await s.gh.openPull("infra", { branch: "keys", files: { "main.tf": FIXED } });
    await s.gh.deliverPullRequest("infra", pr.number, "opened");
    const first = await completedRun(s, "infra", pr.headSha);
    expect(first.conclusion).toBe("success");
    expect(first.annotations).toEqual([]);

    const added = await s.gh.pushToPull("infra", pr.number, { files: { "main.tf": NON_COMPLIANT }, message: "activate it" });
    await s.gh.deliverPullRequest("infra", pr.number, "synchronize");
    const second = await completedRun(s, "infra", added.after);
    expect(second.conclusion).toBe("failure");
    // The pull request adds main.tf (the base has none): both findings are on lines it adds.
    expect(annotationsAt(second)).toEqual(SEED_LINES);

    const fixed = await s.gh.pushToPull("infra", pr.number, { files: { "main.tf": FIXED }, message: "deactivate it" });
    await s.gh.deliverPullRequest("infra", pr.number, "synchronize");
    expect((await completedRun(s, "infra", fixed.after)).conclusion).toBe("success");
    await settled(s);
    expect(s.gh.issues("infra")).toEqual([]);
  }, 60_000);

  it("passes a pull request that only renames a file holding a key the base branch already has", async () => {
    const s = await Scenario.start({ jobLockMs: 3000, permissions: GRANTED });
    await s.gh.createRepo("infra", { files: { "keys/main.tf": NON_COMPLIANT } });
    await s.serve();
    // GitHub lists a pure rename with `changes: 0` and no patch: no line is added, so nothing fails.
    const pr = await s.gh.openPull("infra", { branch: "move", files: { "iam/main.tf": NON_COMPLIANT }, remove: ["keys/main.tf"] });
    await s.gh.deliverPullRequest("infra", pr.number, "opened");
    const run = await completedRun(s, "infra", pr.headSha);
    expect(run.conclusion).toBe("success");
    expect(run.annotations).toEqual([]);
    expect(run.output.summary).toContain("iam/main.tf");
  }, 60_000);

  it("checks a pull request from a fork, fetching refs/pull/N/head from the base repository", async () => {
    const { s, serve } = await started();
    const fork = await s.gh.createFork("infra", "outsider");
    const pr = await s.gh.openPull("infra", { branch: "from-fork", fork, files: { "iam/main.tf": NON_COMPLIANT } });
    expect(s.gh.pull("infra", pr.number).headRepo).toMatchObject({ owner: "outsider", fork: true });
    const gitBefore = s.gh.gitStats("infra").requests;
    const forkGitBefore = fork.git.requests;
    await s.gh.deliverPullRequest("infra", pr.number, "opened");

    const run = await completedRun(s, "infra", pr.headSha);
    expect(run.conclusion).toBe("failure");
    expect(annotationsAt(run)).toEqual(SEED_LINES.map(([, line, level]) => ["iam/main.tf", line, level]));
    // Fetched from the base repository (the installation cannot see the fork), without a refusal.
    expect(s.gh.gitStats("infra").requests).toBeGreaterThan(gitBefore);
    expect(s.gh.gitStats("infra").refused).toBe(0);
    expect(fork.git.requests).toBe(forkGitBefore);
    await settled(s);
    expect(s.gh.issues("infra")).toEqual([]);
    expectCheckLines(serve);
  }, 60_000);

  it("concludes neutral a run whose pull request moved during the scan; the newer head gets its own run", async () => {
    const { s, serve } = await started();
    const pr = await s.gh.openPull("infra", { branch: "moving", files: { "main.tf": FIXED } });
    const firstHead = pr.headSha; // the stored pull request moves with the push below
    // The fetch waits until the pull request has moved on: the scan then sees the newer commit.
    const held = s.gh.hold({ scope: "git", path: /\/infra\.git\/info\/refs$/ });
    await s.gh.deliverPullRequest("infra", pr.number, "opened");
    await held.arrived;
    const moved = await s.gh.pushToPull("infra", pr.number, { files: { "main.tf": NON_COMPLIANT }, message: "activate it" });
    await s.gh.deliverPullRequest("infra", pr.number, "synchronize");
    held.release();

    const old = await completedRun(s, "infra", firstHead);
    expect(old).toMatchObject({ conclusion: "neutral", output: { title: "Superseded by a newer commit" } });
    expect(old.annotations).toEqual([]);
    const newer = await completedRun(s, "infra", moved.after);
    expect(newer.conclusion).toBe("failure");
    expect(annotationsAt(newer)).toEqual(SEED_LINES);
    expect(serve.lines.filter((l) => l.msg === "pull request checked").map((l) => [l.headSha, l.conclusion])).toEqual([
      [firstHead, "neutral"],
      [moved.after, "failure"],
    ]);
  }, 60_000);

  it("passes a pull request touching no Terraform without cloning (a required check still reports)", async () => {
    const { s, serve } = await started();
    const pr = await s.gh.openPull("infra", { branch: "docs", files: { "README.md": "# infra\n\nMore words.\n", "docs/MAIN.TF": "not terraform\n" } });
    const gitBefore = s.gh.gitStats("infra").requests;
    await s.gh.deliverPullRequest("infra", pr.number, "opened");
    const run = await completedRun(s, "infra", pr.headSha);
    expect(run).toMatchObject({ conclusion: "success", output: { title: "No Terraform files changed" } });
    // Created completed in one request: there was nothing to wait for.
    expect(run.writes.map((w) => [w.method, w.status])).toEqual([["POST", "completed"]]);
    await settled(s);
    expect(s.gh.gitStats("infra").requests).toBe(gitBefore);
    expect(serve.lines.find((l) => l.msg === "pull request checked")).toMatchObject({ reason: "no Terraform changed", conclusion: "success" });
  }, 60_000);

  it("sends more than 50 annotations in batches of 50, and GitHub stores them all", async () => {
    const { s } = await started();
    const KEYS = 40; // two findings each: 80 annotations
    const many = Array.from({ length: KEYS }, (_, i) => `resource "aws_iam_access_key" "root_${i}" {\n  user   = "root"\n  status = "Active"\n}\n`).join("\n");
    const pr = await s.gh.openPull("infra", { branch: "many-keys", files: { "keys.tf": many } });
    await s.gh.deliverPullRequest("infra", pr.number, "opened");
    const run = await completedRun(s, "infra", pr.headSha);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toHaveLength(2 * KEYS);
    expect(run.writes.map((w) => [w.method, w.annotations])).toEqual([
      ["POST", 0],
      ["PATCH", 50],
      ["PATCH", 30],
    ]);
    // Each resource's user line (MEDIUM) and status line (HIGH), all stored.
    const lines = new Set(run.annotations.map((a) => a.start_line));
    for (let i = 0; i < KEYS; i++) {
      expect(lines.has(5 * i + 2), `user line of root_${i}`).toBe(true);
      expect(lines.has(5 * i + 3), `status line of root_${i}`).toBe(true);
    }
  }, 60_000);
});

describe("keywarden serve: pushes → check run, issues and code scanning", () => {
  it("publishes a check run on the pushed commit next to the issues", async () => {
    const { s, serve } = await started();
    const added = await s.gh.commit("infra", { files: { "main.tf": NON_COMPLIANT }, message: "add a key for root" });
    expect(await s.gh.push("infra", added)).toBe(200);
    s.expected = seedFindings("infra");
    await s.converge(30_000);
    const run = await completedRun(s, "infra", added.after);
    expect(run).toMatchObject({ name: "Keywarden", conclusion: "failure" });
    expect(annotationsAt(run)).toEqual(SEED_LINES);
    expect(s.gh.issues("infra")).toHaveLength(2);
    expect(serve.lines.find((l) => l.msg === "push check run published")).toMatchObject({ queue: "scan", conclusion: "failure", annotations: 2 });
  }, 60_000);

  it("still files the issues when the installation has not accepted checks: write, saying so once", async () => {
    const { s, serve } = await started(OLD_GRANT);
    const added = await s.gh.commit("infra", { files: { "main.tf": NON_COMPLIANT }, message: "add a key for root" });
    expect(await s.gh.push("infra", added)).toBe(200);
    s.expected = seedFindings("infra");
    await s.converge(30_000);
    expect(s.gh.issues("infra")).toHaveLength(2);
    expect(s.gh.checkRuns("infra")).toEqual([]);
    const warned = serve.lines.filter((l) => typeof l.msg === "string" && l.msg.includes('"checks: write"'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, queue: "scan", repo: `${OWNER}/infra` });
    expect(warned[0]!.msg).toMatch(/accepts the app's new permissions in the installation's settings/);
    expect(serve.lines.find((l) => l.msg === "repository scanned")).toMatchObject({ opened: 2 });
  }, 60_000);

  it("uploads each default-branch scan's SARIF when a repository opts into code scanning", async () => {
    const { s, serve } = await started();
    await s.gh.createRepo("opted-out", { files: { "main.tf": NON_COMPLIANT } });
    const added = await s.gh.commit("infra", { files: { ".github/keywarden.yml": "codeScanning: true\n", "main.tf": NON_COMPLIANT }, message: "opt in, add a key" });
    expect(await s.gh.push("infra", added)).toBe(200);
    s.expected = seedFindings("infra");
    await s.converge(30_000);
    await s.until(() => s.gh.sarifs("infra").length > 0, 30_000, "a SARIF upload");

    const [upload, ...more] = s.gh.sarifs("infra");
    expect(more).toEqual([]);
    expect(upload).toMatchObject({ commitSha: added.after, ref: "refs/heads/main", toolName: "Keywarden" });
    const run = upload!.sarif.runs[0];
    expect(run.tool.driver.name).toBe("Keywarden");
    const results = run.results.map((r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }) => [
      r.ruleId,
      r.locations[0]!.physicalLocation.artifactLocation.uri,
      r.locations[0]!.physicalLocation.region.startLine,
    ]);
    expect(results.sort()).toEqual(
      [
        [RULES.medium, "main.tf", 2],
        [RULES.high, "main.tf", 4],
      ].sort(),
    );
    // No local path of the worker's checkout travels with it.
    expect(JSON.stringify(upload!.sarif)).not.toMatch(/file:\/\/|keywarden-[A-Za-z0-9]{6}/);
    expect(serve.lines.find((l) => l.msg === "SARIF uploaded to code scanning")).toMatchObject({ queue: "scan", ref: "refs/heads/main", results: 2 });

    // A repository that did not opt in uploads nothing.
    await s.command(["audit"]);
    s.expected = [...seedFindings("infra"), ...seedFindings("opted-out")];
    await s.converge(30_000);
    expect(s.gh.sarifs("opted-out")).toEqual([]);
  }, 90_000);

  it("logs one line and fails nothing when code scanning is not enabled for the repository", async () => {
    const { s, serve } = await started();
    const added = await s.gh.commit("infra", { files: { ".github/keywarden.yml": "codeScanning: true\n", "main.tf": NON_COMPLIANT } });
    s.gh.setCodeScanning("infra", false);
    expect(await s.gh.push("infra", added)).toBe(200);
    s.expected = seedFindings("infra");
    await s.converge(30_000);
    const lines = serve.lines.filter((l) => typeof l.msg === "string" && l.msg.startsWith("SARIF of"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, queue: "scan", repo: `${OWNER}/infra` });
    expect(lines[0]!.msg).toMatch(/code scanning is not enabled/);
    expect(s.gh.sarifs("infra")).toEqual([]);
    expect(serve.lines.find((l) => l.msg === "repository scanned")).toMatchObject({ opened: 2 });
  }, 60_000);

  it("logs one line and fails nothing when the installation has not accepted security_events: write", async () => {
    const { security_events: _dropped, ...withoutSecurityEvents } = GRANTED;
    const { s, serve } = await started(withoutSecurityEvents);
    const added = await s.gh.commit("infra", { files: { ".github/keywarden.yml": "codeScanning: true\n", "main.tf": NON_COMPLIANT } });
    expect(await s.gh.push("infra", added)).toBe(200);
    s.expected = seedFindings("infra");
    await s.converge(30_000);
    const lines = serve.lines.filter((l) => typeof l.msg === "string" && l.msg.startsWith("SARIF of"));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/"security_events: write"/);
    expect(s.gh.sarifs("infra")).toEqual([]);
    // The check run and the issues are there all the same.
    expect((await completedRun(s, "infra", added.after)).conclusion).toBe("failure");
    expect(s.gh.issues("infra")).toHaveLength(2);
  }, 60_000);
});

/** Once `count` completed Keywarden check runs are on `sha` and every queue drained: those runs. */
async function completedRuns(s: Scenario, repo: string, sha: string, count: number): Promise<StoredCheckRun[]> {
  const find = () => s.gh.checkRuns(repo).filter((r) => r.headSha === sha && r.status === "completed");
  await s.until(() => find().length >= count, 30_000, `${count} completed check runs on ${repo}@${sha.slice(0, 7)}`);
  await settled(s);
  return find();
}

describe("keywarden serve: Re-run on a Keywarden check run (check_run rerequested)", () => {
  it("checks the pull request again: a second completed run on the same head", async () => {
    const { s, serve } = await started();
    const pr = await s.gh.openPull("infra", { branch: "add-key", files: { "main.tf": NON_COMPLIANT } });
    await s.gh.deliverPullRequest("infra", pr.number, "opened");
    const first = await completedRun(s, "infra", pr.headSha);

    const delivery = await s.gh.deliverCheckRunRerequested("infra", first.id);
    expect(delivery.status).toBe(200);
    // GitHub's payload shape: the run lists its pull request; the suite names the head branch.
    const body = JSON.parse(delivery.body);
    expect(body.check_run.pull_requests.map((p: { number: number }) => p.number)).toEqual([pr.number]);
    expect(body.check_run.check_suite.head_branch).toBe("add-key");
    const runs = await completedRuns(s, "infra", pr.headSha, 2);
    expect(runs.map((r) => [r.name, r.conclusion])).toEqual([
      ["Keywarden", "failure"],
      ["Keywarden", "failure"],
    ]);
    expect(runs[1]!.id).not.toBe(first.id);
    expect(annotationsAt(runs[1]!)).toEqual(SEED_LINES);
    expect(serve.lines.find((l) => l.msg === "check run re-run: pull request check queued")).toMatchObject({ repo: `${OWNER}/infra`, pull: pr.number, commit: pr.headSha });
    expect(s.gh.issues("infra")).toEqual([]);
  }, 60_000);

  it("re-scans the default branch for a push's run: a second completed run on the pushed commit, the same issues", async () => {
    const { s, serve } = await started();
    const added = await s.gh.commit("infra", { files: { "main.tf": NON_COMPLIANT }, message: "add a key for root" });
    expect(await s.gh.push("infra", added)).toBe(200);
    s.expected = seedFindings("infra");
    await s.converge(30_000);
    const first = await completedRun(s, "infra", added.after);

    expect((await s.gh.deliverCheckRunRerequested("infra", first.id)).status).toBe(200);
    const runs = await completedRuns(s, "infra", added.after, 2);
    expect(runs.map((r) => r.conclusion)).toEqual(["failure", "failure"]);
    expect(serve.lines.find((l) => l.msg === "check run re-run: scan queued")).toMatchObject({ repo: `${OWNER}/infra`, commit: added.after });
    await s.converge(30_000);
    expect(s.gh.issues("infra")).toHaveLength(2);
  }, 60_000);

  it("says to push or reopen for a fork's pull request, whose run GitHub lists with no pull request, and checks nothing", async () => {
    const { s, serve } = await started();
    const fork = await s.gh.createFork("infra", "outsider");
    const pr = await s.gh.openPull("infra", { branch: "from-fork", fork, files: { "iam/main.tf": NON_COMPLIANT } });
    await s.gh.deliverPullRequest("infra", pr.number, "opened");
    const first = await completedRun(s, "infra", pr.headSha);

    const delivery = await s.gh.deliverCheckRunRerequested("infra", first.id);
    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body).check_run.pull_requests).toEqual([]);
    const told = await serve.waitForLine((l) => l.msg === "check run re-run not possible", { timeoutMs: 30_000, what: "the re-run refusal" });
    expect(told).toMatchObject({ level: 30, repo: `${OWNER}/infra`, commit: pr.headSha });
    expect(String(told.reason)).toMatch(/push a commit to the pull request or close and reopen it/);
    await settled(s);
    expect(s.gh.checkRuns("infra").filter((r) => r.headSha === pr.headSha)).toHaveLength(1);
  }, 60_000);
});
