/**
 * The scan job end to end: BullMQ on the real Redis, the real processor started by `startWorkers`,
 * a real git repository cloned from the `clone_url` GitHub (nock) reports, the real scanner, and the
 * issue lifecycle against a stateful fake of GitHub's issues API.
 */
import { watch, type FSWatcher } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Job } from "bullmq";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderIssueBody, renderIssueTitle } from "../../src/issues/render-issue.js";
import { readFingerprint } from "../../src/issues/marker.js";
import type { ScanOutcome } from "../../src/jobs/process-scan.js";
import { enqueueScan, type ScanJobData } from "../../src/jobs/queues.js";
import { StateStore, type RepoState } from "../../src/jobs/repo-state.js";
import { scan } from "../../src/scan/index.js";
import type { Finding } from "../../src/domain/types.js";
import { FakeGitHub, INSTALLATION_TOKEN } from "../helpers/fake-github.js";
import type { FakeGitHubRepo } from "../helpers/github-nock.js";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { serveGitOverHttp } from "../helpers/git-http-server.js";
import { startHarness, type Harness } from "../helpers/worker-harness.js";

const ROOT_KEY = `resource "aws_iam_access_key" "root_key" {
  user = "root"
}
`;
const ROOT_KEY_DISABLED = `resource "aws_iam_access_key" "root_key" {
  user   = "root"
  status = "Inactive"
}
`;

const REPO_ID = 7001;
let workRoot: string;
let savedTmp: string | undefined;
let repo: TestRepo;
let gh: FakeGitHub;
let issues: FakeGitHubRepo;
let h: Harness;
const harnesses: Harness[] = [];

beforeAll(async () => {
  // The clone's work directories go under TMPDIR: point it at a directory of our own to check it.
  workRoot = await mkdtemp(join(tmpdir(), "keywarden-scan-job-"));
  savedTmp = process.env.TMPDIR;
});
afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

beforeEach(async () => {
  repo = await createTestRepo();
  process.env.TMPDIR = workRoot;
  nock.disableNetConnect();
  gh = new FakeGitHub().start();
  issues = gh.addRepo({ id: REPO_ID, name: "infra", cloneUrl: repo.url });
  h = await harness();
});
afterEach(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  for (const x of harnesses.splice(0)) await x.close();
  gh.stop();
  nock.enableNetConnect();
  await repo.remove();
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const created = await startHarness(options);
  harnesses.push(created);
  return created;
}

const jobData = (over: Partial<ScanJobData> = {}): ScanJobData => ({
  installationId: gh.installationId,
  repositoryId: REPO_ID,
  owner: gh.owner,
  repo: "infra",
  reason: "push",
  ...over,
});

/** Queue a scan as the webhook does and wait for its outcome. */
async function runScan(on: Harness = h, over: Partial<ScanJobData> = {}): Promise<{ job: Job<ScanJobData>; outcome: ScanOutcome }> {
  const count = on.added.length;
  const job = await enqueue(on, over);
  const outcome = await on.finished<ScanOutcome>(job);
  // The labels job the scan queued for its new issues, as `serve` runs it right after.
  await on.drain(count);
  return { job, outcome };
}

async function enqueue(on: Harness = h, over: Partial<ScanJobData> = {}): Promise<Job<ScanJobData>> {
  const count = on.added.length;
  await enqueueScan(on.queues, jobData(over));
  const job = on.added[count];
  if (!job || job.queueName !== on.queues.scan.name) throw new Error("the scan job was not queued");
  return job as Job<ScanJobData>;
}

/** What the scanner finds in `content` as `iam.tf`, to render the expected issue bodies. */
async function findingsOf(content: string): Promise<Finding[]> {
  const dir = await mkdtemp(join(workRoot, "expected-"));
  try {
    await writeFile(join(dir, "iam.tf"), content);
    return (await scan(dir)).findings;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const byFingerprint = (fp: string) => [...issues.issues.values()].filter((i) => readFingerprint(i.body) === fp);
/** Writes other than the push's check run (a new run on every push scan, by design). */
const issueWrites = () => gh.writes().filter((w) => !/\/check-runs(\/|$)/.test(w.path));
const issueCreates = () => issues.requests.filter((r) => r.method === "POST" && /\/issues$/.test(r.path));
const workDirs = async () => (await readdir(workRoot)).filter((name) => name.startsWith("keywarden-"));

/** Names created in the work root while `run` runs: proves the clone happened there at all. */
async function watchWorkRoot<T>(run: () => Promise<T>): Promise<{ value: T; created: string[] }> {
  const created: string[] = [];
  const watcher: FSWatcher = watch(workRoot, (_event, name) => {
    if (name) created.push(String(name));
  });
  try {
    return { value: await run(), created };
  } finally {
    watcher.close();
  }
}

describe("scan job", () => {
  it("files one issue per finding with labels, a permalink at the scanned commit and the marker", async () => {
    const sha = await repo.commit({ "iam.tf": ROOT_KEY, "README.md": "docs" });
    const {
      value: { outcome },
      created,
    } = await watchWorkRoot(() => runScan());

    const findings = await findingsOf(ROOT_KEY);
    expect(findings.map((f) => f.severity).sort()).toEqual(["HIGH", "MEDIUM"]);
    expect(outcome).toMatchObject({ status: "scanned", commitSha: sha, findings: 2, opened: 2, closed: 0, deferred: 0 });
    expect(issues.issues.size).toBe(2);
    for (const finding of findings) {
      const [issue, ...more] = byFingerprint(finding.fingerprint);
      expect(more).toEqual([]);
      const target = { serverUrl: "https://github.com", owner: "octo-org", repo: "infra", commitSha: sha };
      expect(issue).toMatchObject({
        title: renderIssueTitle(finding),
        body: renderIssueBody(finding, target),
        state: "open",
        labels: ["keywarden", finding.severity === "HIGH" ? "severity:high" : "severity:medium"],
      });
      expect(issue!.body).toContain(`https://github.com/octo-org/infra/blob/${sha}/iam.tf#L`);
      expect(issue!.body).toContain(`<!-- keywarden:fingerprint=${finding.fingerprint} -->`);
    }
    // The outcome is on record for the audit and the summary.
    expect(await h.state.getRepo(REPO_ID)).toMatchObject({ status: "scanned", commitSha: sha, complete: true, findings: 2, fullName: "octo-org/infra" });
    // The clone's work directory was made under TMPDIR, and is gone.
    expect(created.some((name) => name.startsWith("keywarden-"))).toBe(true);
    expect(await workDirs()).toEqual([]);
    // A push also gets its Keywarden check run on the scanned commit: every finding counts.
    expect(issues.checkRuns).toEqual([
      expect.objectContaining({ head_sha: sha, status: "completed", conclusion: "failure", output: expect.objectContaining({ title: expect.any(String), summary: expect.any(String) }) }),
    ]);
    expect(issues.checkRuns[0]!.annotations.map((a: { path: string; start_line: number }) => [a.path, a.start_line]).sort()).toEqual(
      findings.map((f) => [f.file, f.line]).sort(),
    );
  });

  it("files the issues of a push when the installation has not accepted checks: write, with one log line", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    issues.checksGranted = false;
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ status: "scanned", findings: 2, opened: 2 });
    expect(issues.issues.size).toBe(2);
    expect(issues.checkRuns).toEqual([]);
    const lines = h.log.text().split("\n").filter((l) => l.includes("checks: write"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining("accepts the app's new permissions") });
  });

  it("publishes no check run for a scan that is not a push (an audit, an installation)", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    const { outcome } = await runScan(h, { reason: "audit" });
    expect(outcome).toMatchObject({ status: "scanned", opened: 2 });
    expect(issues.checkRuns).toEqual([]);
    expect(gh.writes().filter((w) => w.path.includes("/check-runs"))).toEqual([]);
  });

  it("changes nothing on a second scan of the same code", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    await runScan();
    const writesBefore = issueWrites().length;
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ status: "scanned", findings: 2, opened: 0, closed: 0 });
    expect(issueWrites().slice(writesBefore)).toEqual([]);
    expect(issues.issues.size).toBe(2);
  });

  it("closes the issues with the fixing commit, and reopens them on a regression", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    await runScan();
    const fix = await repo.commit({ "iam.tf": ROOT_KEY_DISABLED }, "deactivate the root key");
    const fixed = await runScan();
    expect(fixed.outcome).toMatchObject({ findings: 0, closed: 2, opened: 0 });
    for (const issue of issues.issues.values()) {
      expect(issue).toMatchObject({ state: "closed", state_reason: "completed" });
      const comments = issues.comments.get(issue.number) ?? [];
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain(`https://github.com/octo-org/infra/commit/${fix}`);
    }

    const regression = await repo.commit({ "iam.tf": ROOT_KEY }, "oops");
    const reopened = await runScan();
    expect(reopened.outcome).toMatchObject({ findings: 2, opened: 2, closed: 0 });
    expect(issues.issues.size).toBe(2);
    for (const issue of issues.issues.values()) {
      expect(issue.state).toBe("open");
      const comments = issues.comments.get(issue.number) ?? [];
      expect(comments).toHaveLength(2);
      expect(comments[1]!.body).toContain(`https://github.com/octo-org/infra/commit/${regression}`);
    }
    expect(issueCreates()).toHaveLength(2);
  });

  it("keeps the issues open while the key's file does not parse: unknown is not fixed", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    await runScan();
    const writesBefore = issueWrites().length;
    await repo.commit({ "iam.tf": `${ROOT_KEY}\nresource "broken" {\n` }, "half-finished edit");
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ status: "scanned", findings: 0, fileErrors: 1, closed: 0 });
    expect(issueWrites().slice(writesBefore)).toEqual([]);
    expect([...issues.issues.values()].every((i) => i.state === "open")).toBe(true);
  });

  it("files no duplicate after Redis lost everything (a new prefix): the markers find the issues", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    await runScan();
    const writesBefore = issueWrites().length;

    const fresh = await harness();
    expect(await fresh.state.getRepo(REPO_ID)).toBeUndefined();
    const { outcome } = await runScan(fresh);
    expect(outcome).toMatchObject({ findings: 2, opened: 0 });
    expect(issueWrites().slice(writesBefore)).toEqual([]);
    expect(issues.issues.size).toBe(2);
  });

  it("files no duplicate when a worker dies between creating the issues and recording the scan", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    let failures = 0;
    // The first attempt fails right after GitHub accepted the issues, before anything is recorded.
    const dying = await harness({
      state: (store) =>
        Object.assign(Object.create(store) as StateStore, {
          putRepo: async (state: RepoState) => {
            if (state.status === "scanned" && failures++ === 0) throw new Error("worker killed");
            return store.putRepo(state);
          },
        }),
    });
    const { job, outcome } = await runScan(dying);
    expect(failures).toBe(2);
    expect((await dying.queues.scan.getJob(job.id!))!.attemptsMade).toBe(2);
    expect(outcome).toMatchObject({ findings: 2, opened: 0 });
    expect(issueCreates()).toHaveLength(2);
    expect(issues.issues.size).toBe(2);
    expect(await dying.state.getRepo(REPO_ID)).toMatchObject({ status: "scanned", complete: true });
  });

  it("leaves an issue a person closed as not planned closed (accepted risk)", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    await runScan();
    const [accepted] = [...issues.issues.values()];
    accepted!.state = "closed";
    accepted!.state_reason = "not_planned";
    await repo.commit({ "iam.tf": `# moved\n${ROOT_KEY}` }, "touch");
    const writesBefore = issueWrites().length;
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ findings: 2, opened: 0, closed: 0 });
    expect(accepted).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(issueWrites().slice(writesBefore).filter((w) => w.path.endsWith(`/issues/${accepted!.number}`) || w.path.endsWith("/issues"))).toEqual([]);
    expect(issueCreates()).toHaveLength(2);
  });

  it("reads .github/keywarden.yml through the contents API, with the organization's file as fallback", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    // No file in the repository: the organization's applies (only HIGH findings, renamed labels).
    gh.setConfig(".github", "minSeverity: high\nlabels:\n  base: security\n  high: sev-1\n");
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ findings: 2, opened: 1 });
    const [issue, ...more] = [...issues.issues.values()];
    expect(more).toEqual([]);
    expect(issue!.labels).toEqual(["security", "sev-1"]);
    expect(gh.requestsTo("GET", "/repos/octo-org/infra/contents/")).not.toEqual([]);
    expect(gh.requestsTo("GET", "/repos/octo-org/.github/contents/")).not.toEqual([]);
  });

  it("assigns the CODEOWNERS users of the finding's file and dates the issue by the SLA (`assignees: codeowners`, `sla`)", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    gh.setConfig("infra", "minSeverity: high\nassignees: [codeowners, oncall]\nsla: { high: 7 }\n");
    gh.files.set("octo-org/infra:CODEOWNERS", "* @octo-org/platform\n*.tf @alice @octo-org/security\n");
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ status: "scanned", opened: 1 });
    const [issue] = [...issues.issues.values()];
    expect(issue!.assignees).toEqual(["alice"]);
    expect(issue!.body.replace(/\\/g, "")).toContain("**Owning teams (CODEOWNERS):** octo-org/security");
    expect(issue!.body).toMatch(/\*\*Due:\*\* `\d{4}-\d{2}-\d{2}` \(SLA: 7 days\)/);
    // GitHub's order: .github/CODEOWNERS (absent here), then CODEOWNERS, which is found.
    expect(gh.requestsTo("GET", /^\/repos\/octo-org\/infra\/contents\/\.github(%2F|\/)CODEOWNERS$/)).toHaveLength(1);
    expect(gh.requestsTo("GET", /^\/repos\/octo-org\/infra\/contents\/CODEOWNERS$/)).toHaveLength(1);
    expect(gh.requestsTo("GET", /\/contents\/docs(%2F|\/)CODEOWNERS$/)).toEqual([]);
  });

  it("files the issue without an assignee GitHub refuses, and counts the scan as a success at once", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    gh.setConfig("infra", "minSeverity: high\nassignees: [departed-user]\n");
    issues.failNext("POST", /\/issues$/, {
      kind: "status",
      status: 422,
      body: { message: "Validation Failed", errors: [{ resource: "Issue", code: "invalid", field: "assignees" }], documentation_url: "https://docs.github.com/rest" },
    });
    const { job, outcome } = await runScan();
    expect(outcome).toMatchObject({ status: "scanned", opened: 1 });
    expect((await h.queues.scan.getJob(job.id!))!.attemptsMade).toBe(1);
    expect([...issues.issues.values()].map((i) => i.assignees)).toEqual([[]]);
    expect(h.log.text()).toContain("assignees not applied");
  });

  it("marks a scan whose new issues were capped incomplete, so the nightly audit does not skip the rest", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    gh.setConfig("infra", "maxNewIssuesPerRun: 1\n");
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ status: "scanned", findings: 2, opened: 1, deferred: 1 });
    expect(await h.state.getRepo(REPO_ID)).toMatchObject({ status: "scanned", complete: false });
    expect(issues.issues.size).toBe(1);
  });

  it("skips an archived repository without cloning it or writing an issue", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    gh.repo("infra").spec.archived = true;
    const { outcome } = await runScan(h, { reason: "installation" });
    expect(outcome).toEqual({ status: "skipped", reason: "archived" });
    expect(gh.requestsTo("POST", /\/access_tokens$/).some((r) => r.body?.repositories)).toBe(false);
    expect(issues.issues.size).toBe(0);
    expect(await h.state.getRepo(REPO_ID)).toMatchObject({ status: "skipped", reason: "archived" });
  });

  it("reports an invalid configuration once, naming the key, and scans with the defaults", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    gh.setConfig("infra", "minSeverity: urgent\n");
    await runScan();
    const problems = [...issues.issues.values()].filter((i) => i.title.includes("invalid configuration"));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.body).toContain("`minSeverity`");
    // The defaults (MEDIUM and up) still filed both findings.
    expect(issues.issues.size).toBe(3);
    const writesBefore = issueWrites().length;
    await runScan();
    expect(issueWrites().slice(writesBefore)).toEqual([]);
  });

  it("never lets the installation token reach logs, job data, errors or results", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    // A failure whose GitHub message carries the token, as an echoing proxy might send it.
    // (A 4xx: a 5xx would be retried in place and never reach the job.)
    issues.failNext("GET", /\/issues$/, { kind: "status", status: 422, body: { message: `boom for token ${INSTALLATION_TOKEN}` } });
    const job = await enqueue();
    const outcome = await h.finished(job);
    expect(outcome).toMatchObject({ opened: 2 });

    // The token was handed out (for the API and for the clone) ...
    expect(gh.requestsTo("POST", /\/access_tokens$/).length).toBeGreaterThanOrEqual(2);
    expect(gh.requestsTo("POST", /\/access_tokens$/).some((r) => r.body?.permissions?.contents === "read" && r.body?.repositories?.[0] === "infra")).toBe(true);
    // ... and the first attempt failed with the echoed message.
    const stored = (await h.queues.scan.getJob(job.id!))!;
    expect(stored.attemptsMade).toBe(2);
    expect(stored.stacktrace?.length ?? 0).toBeGreaterThan(0);
    const exposed = JSON.stringify({ data: stored.data, failedReason: stored.failedReason, stacktrace: stored.stacktrace, returnvalue: stored.returnvalue });
    expect(exposed).toContain("boom for token");
    expect(exposed).not.toContain(INSTALLATION_TOKEN);
    expect(h.log.text().length).toBeGreaterThan(0);
    expect(h.log.text()).not.toContain(INSTALLATION_TOKEN);
    // Nor does any key BullMQ or Keywarden wrote to Redis hold it.
    const dumps: string[] = [];
    const keys = await h.redis.redis.keys(`${h.redis.prefix.replace(/[{}]/g, (c) => `\\${c}`)}*`);
    for (const key of keys) {
      const type = await h.redis.redis.type(key);
      const dump =
        type === "string"
          ? await h.redis.redis.get(key)
          : type === "hash"
            ? JSON.stringify(await h.redis.redis.hgetall(key))
            : type === "stream" // BullMQ's event stream carries failure reasons too
              ? JSON.stringify(await h.redis.redis.xrange(key, "-", "+"))
              : "";
      dumps.push(dump ?? "");
    }
    // The failure text did reach Redis (the job's hash), scrubbed.
    expect(dumps.some((d) => d.includes("boom for token"))).toBe(true);
    expect(dumps.join("\n")).not.toContain(INSTALLATION_TOKEN);
  });

  it("records a repository with issues disabled and writes nothing there", async () => {
    const sha = await repo.commit({ "iam.tf": ROOT_KEY });
    gh.repo("infra").spec.hasIssues = false;
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ status: "scanned", findings: 2, issuesDisabled: true });
    expect(issueWrites()).toEqual([]);
    // The check run is not an issue: the push still gets it.
    expect(issues.checkRuns.map((r) => r.conclusion)).toEqual(["failure"]);
    expect(await h.state.getRepo(REPO_ID)).toMatchObject({ status: "scanned", commitSha: sha, issuesDisabled: true });
  });

  it("clones from the GitHub server's origin (GHE over http) with the narrowed token as a header only", async () => {
    const server = await serveGitOverHttp(dirname(repo.bare));
    try {
      await repo.commit({ "iam.tf": ROOT_KEY });
      gh.repo("infra").spec.cloneUrl = `${server.origin}/remote.git`;
      const on = await harness({ settings: { serverUrl: server.origin, cloneProtocols: ["http"] } });
      const { outcome } = await runScan(on);
      expect(outcome).toMatchObject({ status: "scanned", findings: 2 });
      const basic = `basic ${Buffer.from(`x-access-token:${INSTALLATION_TOKEN}`).toString("base64")}`;
      expect(server.authorizations.length).toBeGreaterThan(0);
      expect(server.authorizations.map((a) => a?.toLowerCase())).toEqual(server.authorizations.map(() => basic.toLowerCase()));
      const tokenRequest = gh.requestsTo("POST", /\/access_tokens$/).find((r) => r.body?.repositories);
      expect(tokenRequest?.body).toMatchObject({ repositories: ["infra"], permissions: { contents: "read" } });
    } finally {
      await server.close();
    }
  });

  it("records issues disabled when GitHub answers 410 to the first create", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    issues.issuesDisabled = true; // has_issues still says true: GitHub answers 410 to the create
    const { outcome } = await runScan();
    expect(outcome).toMatchObject({ status: "scanned", findings: 2, issuesDisabled: true, opened: 0 });
    expect(issues.issues.size).toBe(0);
    expect(issueCreates()).toHaveLength(1);
    expect(await h.state.getRepo(REPO_ID)).toMatchObject({ status: "scanned", issuesDisabled: true });
  });

  it("removes the work directory when the scan fails, and records the failure with its reason", async () => {
    await repo.commit({ "iam.tf": ROOT_KEY });
    gh.repo("infra").spec.cloneUrl = `${repo.url}-missing`;
    const job = await enqueue();
    const { created } = await watchWorkRoot(() => expect(h.finished(job)).rejects.toThrow(/git clone failed/));
    // One work directory per attempt (four), each removed.
    expect(new Set(created.filter((name) => name.startsWith("keywarden-"))).size).toBe(4);
    expect((await h.queues.scan.getJob(job.id!))!.attemptsMade).toBe(4);
    expect(await h.state.getRepo(REPO_ID)).toMatchObject({ status: "failed", reason: expect.stringMatching(/git clone failed/) });
    expect(await workDirs()).toEqual([]);
  });
});
