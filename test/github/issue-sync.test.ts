/**
 * The issue lifecycle against GitHub's API (nock, GitHub's response shapes, state kept between
 * scans by FakeGitHubRepo): list → plan → apply, as the scan job runs it.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyPlan } from "../../src/github/apply-plan/index.js";
import { botLogin, createLocalWriteBudget, forInstallation, listFindingIssues, type WriteBudget } from "../../src/github/issues-gateway/index.js";
import { parseConfig } from "../../src/config/repo-config.js";
import { readFingerprint } from "../../src/issues/marker.js";
import { planIssues } from "../../src/issues/plan-issues.js";
import { renderIssueBody, renderIssueTitle } from "../../src/issues/render-issue.js";
import { syncIssues } from "../../src/github/sync-issues.js";
import type { Finding, SuppressedFinding } from "../../src/domain/types.js";
import { FakeGitHubRepo } from "../helpers/github-nock.js";
import { TestOctokit, throttledTestOctokit } from "../helpers/probot.js";
import { finding, KEY_EXPOSED, SHA1, SHA2, SHA3, suppressed } from "./issue-fixtures.js";

const TOKEN = "ghs_TestInstallationTokenThatMustNeverLeak0001";
const A = finding({ fingerprint: "aaaa0000aaaa0000" });
const B = finding({ fingerprint: "bbbb0000bbbb0000", ruleId: KEY_EXPOSED, file: "envs/dev/iam.tf", resource: "aws_iam_access_key.deploy", line: 2 });

let gh: FakeGitHubRepo;
let sleeps: number[];

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  gh = new FakeGitHubRepo({ owner: "octo-org", repo: "infra", appSlug: "keywarden" }).start();
  sleeps = [];
});

afterEach(() => {
  gh.stop();
  nock.enableNetConnect();
});

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Keywarden's Octokit as the jobs get it: plugin-retry repeats idempotent requests in place (in ms). */
function octokit(): InstanceType<typeof TestOctokit> {
  return new TestOctokit({ auth: TOKEN, log: quiet });
}

async function scan(
  commit: string,
  findings: Finding[],
  options: { suppressed?: SuppressedFinding[]; budget?: WriteBudget; config?: Record<string, unknown>; client?: InstanceType<typeof TestOctokit>; openIssuesCount?: number } = {},
) {
  return syncIssues({
    octokit: options.client ?? octokit(),
    repo: { owner: gh.owner, repo: gh.repo },
    botLogin: botLogin(gh.appSlug),
    budget: options.budget ?? createLocalWriteBudget(500),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    findings,
    suppressed: options.suppressed ?? [],
    config: parseConfig(options.config ?? {}).config,
    serverUrl: "https://github.com",
    scannedCommit: commit,
    openIssuesCount: options.openIssuesCount,
  });
}

const target = (commit: string) => ({ serverUrl: "https://github.com", owner: "octo-org", repo: "infra", commitSha: commit });
const issueByFingerprint = (fp: string) => [...gh.issues.values()].filter((i) => readFingerprint(i.body) === fp);

describe("issue lifecycle", () => {
  it("first scan opens one issue per finding with the right title, body and labels", async () => {
    const { result } = await scan(SHA1, [A, B]);
    expect(result.created.map((c) => c.fingerprint)).toEqual([A.fingerprint, B.fingerprint]);
    expect(result.errors).toEqual([]);
    const [a] = issueByFingerprint(A.fingerprint);
    const [b] = issueByFingerprint(B.fingerprint);
    expect(a).toMatchObject({ title: renderIssueTitle(A), body: renderIssueBody(A, target(SHA1)), labels: ["keywarden", "severity:high"] });
    expect(b).toMatchObject({ labels: ["keywarden", "severity:medium"] });
    expect(a!.user.login).toBe("keywarden[bot]");
    // No label request before the issues: GitHub created the labels (grey) when the issues named them.
    const firstLabelRequest = gh.requests.findIndex((r) => /\/labels(\/|$)/.test(r.path));
    const lastCreate = gh.requests.findLastIndex((r) => r.method === "POST" && r.path.endsWith("/issues"));
    expect(firstLabelRequest).toBeGreaterThan(lastCreate);
    expect(gh.writes().filter((w) => w.method === "POST" && w.path.endsWith("/labels"))).toEqual([]);
    // Then each got Keywarden's colour and description, once.
    const styled = gh.writes().filter((w) => w.method === "PATCH" && /\/labels\//.test(w.path));
    expect(styled.map((w) => decodeURIComponent(w.path.split("/labels/")[1]!)).sort()).toEqual(["keywarden", "severity:high", "severity:medium"]);
    expect(gh.labels.get("keywarden")).toEqual({ color: "5319e7", description: "Found by Keywarden: AWS root-user access key in Terraform" });
    expect(gh.labels.get("severity:high")).toMatchObject({ color: "b60205" });
    expect(result.writes).toBe(2 + 3);
  });

  it("never recolours a label someone chose, and styles a new one only once", async () => {
    gh.labels.set("keywarden", { color: "00ff00", description: null }); // a person's colour
    await scan(SHA1, [A]);
    expect(gh.labels.get("keywarden")).toEqual({ color: "00ff00", description: null });
    expect(gh.labels.get("severity:high")).toMatchObject({ color: "b60205" });
    const patches = () => gh.writes().filter((w) => w.method === "PATCH" && /\/labels\//.test(w.path));
    expect(patches()).toHaveLength(1);
    // A later create reads the labels again (they are no longer as GitHub made them) and writes none.
    await scan(SHA2, [A, B]);
    expect(patches().map((w) => decodeURIComponent(w.path.split("/labels/")[1]!))).toEqual(["severity:high", "severity:medium"]);
    expect(gh.labels.get("keywarden")).toEqual({ color: "00ff00", description: null });
    // A scan that files nothing asks nothing of labels.
    const requests = gh.requests.length;
    await scan(SHA3, [A, B]);
    expect(gh.requests.slice(requests).filter((r) => /\/labels/.test(r.path))).toEqual([]);
  });

  it("lists nothing when nothing can change: no finding, no suppressed finding, no open issue at all", async () => {
    await scan(SHA1, [A]);
    await scan(SHA2, []);
    expect(issueByFingerprint(A.fingerprint)[0]).toMatchObject({ state: "closed" });
    const before = gh.requests.length;
    const { plan, result } = await scan(SHA3, [], { openIssuesCount: 0, config: { assignees: ["codeowners"] } });
    expect(gh.requests.slice(before)).toEqual([]);
    expect(plan.actions).toEqual([]);
    expect(result).toMatchObject({ created: [], closed: [], writes: 0 });
  });

  it("still lists when something could change: an open issue, a finding, a suppressed finding", async () => {
    await scan(SHA1, [A]);
    const [a] = issueByFingerprint(A.fingerprint);
    // GitHub's count says one issue is open: it is Keywarden's, its finding gone, so it closes.
    expect((await scan(SHA2, [], { openIssuesCount: 1 })).result.closed).toEqual([{ fingerprint: A.fingerprint, number: a!.number }]);
    // A finding with no open issue: listed, so its closed issue reopens instead of a duplicate.
    expect((await scan(SHA3, [A], { openIssuesCount: 0 })).result.reopened).toEqual([{ fingerprint: A.fingerprint, number: a!.number }]);
    const before = gh.requests.length;
    await scan(SHA3, [], { openIssuesCount: 0, suppressed: [suppressed(A)] });
    expect(gh.requests.slice(before).filter((r) => r.method === "GET" && /\/issues(\?|$)/.test(r.path))).not.toEqual([]);
    expect(a!.state).toBe("closed");
  });

  it("a second scan of the same code writes nothing", async () => {
    await scan(SHA1, [A, B]);
    const before = gh.writes().length;
    const { result } = await scan(SHA2, [B, A]);
    expect(gh.writes().length).toBe(before);
    expect(result).toMatchObject({ created: [], updated: [], closed: [], reopened: [], commented: 0, writes: 0 });
  });

  it("a fix closes the issue as completed with a comment naming the commit; a regression reopens it", async () => {
    await scan(SHA1, [A, B]);
    const [a] = issueByFingerprint(A.fingerprint);
    const fixed = await scan(SHA2, [B]);
    expect(fixed.result.closed).toEqual([{ fingerprint: A.fingerprint, number: a!.number }]);
    expect(a).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(gh.comments.get(a!.number)![0]!.body).toContain(`https://github.com/octo-org/infra/commit/${SHA2}`);

    const back = await scan(SHA3, [A, B]);
    expect(back.result.reopened).toEqual([{ fingerprint: A.fingerprint, number: a!.number }]);
    expect(back.result.created).toEqual([]);
    expect(a!.state).toBe("open");
    expect(gh.comments.get(a!.number)!.at(-1)!.body).toMatch(new RegExp(`Reopening[\\s\\S]*${SHA3}`));
    expect(issueByFingerprint(A.fingerprint)).toHaveLength(1);
  });

  it("an issue closed as not planned stays closed while the finding remains", async () => {
    await scan(SHA1, [A]);
    const [a] = issueByFingerprint(A.fingerprint);
    a!.state = "closed";
    a!.state_reason = "not_planned";
    const before = gh.writes().length;
    await scan(SHA2, [A]);
    expect(gh.writes().length).toBe(before);
    expect(a!.state).toBe("closed");
  });

  it("a finding suppressed in code closes its issue as not planned, citing the comment", async () => {
    await scan(SHA1, [A]);
    const [a] = issueByFingerprint(A.fingerprint);
    const { result } = await scan(SHA2, [], { suppressed: [suppressed(A)] });
    expect(result.closed).toEqual([{ fingerprint: A.fingerprint, number: a!.number }]);
    expect(a).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(gh.comments.get(a!.number)![0]!.body).toContain(`keywarden:ignore ${A.ruleId}`);
  });

  it("with no local record at all, the marker finds the issue: no duplicate", async () => {
    // A previous worker created the issue and died before recording anything.
    gh.seedIssue({ title: "renamed by a person", body: renderIssueBody(A, target(SHA1)), labels: [] });
    const { result } = await scan(SHA1, [A]);
    expect(result.created).toEqual([]);
    expect(issueByFingerprint(A.fingerprint)).toHaveLength(1);
    expect(gh.writes()).toEqual([]);
  });

  it("finds its issues when a person removed or renamed the labels (listing is by author, not label)", async () => {
    await scan(SHA1, [A, B]);
    issueByFingerprint(A.fingerprint)[0]!.labels = [];
    issueByFingerprint(B.fingerprint)[0]!.labels = ["sec-debt"];
    const before = gh.writes().length;
    await scan(SHA2, [A, B]);
    expect(gh.writes().length).toBe(before);
    const listings = gh.requests.filter((r) => r.method === "GET" && /\/issues\?/.test(r.path));
    expect(listings.every((r) => !/[?&]labels=/.test(r.path))).toBe(true);
    expect(listings.at(-1)!.path).toContain("creator=keywarden%5Bbot%5D");
  });

  it("falls back to reading every issue when the server's creator filter matches nothing", async () => {
    gh.seedIssue({ title: "x", body: renderIssueBody(A, target(SHA1)) });
    // A person's issue quoting a marker and a pull request must not be taken for ours.
    gh.seedIssue({ title: "copy", body: renderIssueBody(B, target(SHA1)), user: { login: "octocat", id: 1, type: "User" } });
    gh.seedIssue({ title: "pr", body: renderIssueBody(B, target(SHA1)), pullRequest: true });
    gh.creatorFilterBroken = true;
    const { result } = await scan(SHA1, [A, B]);
    expect(result.created.map((c) => c.fingerprint)).toEqual([B.fingerprint]);
    expect(issueByFingerprint(A.fingerprint)).toHaveLength(1);
  });

  it("neutralises hostile repository text in what it sends", async () => {
    const hostile = finding({ fingerprint: "cccc0000cccc0000", file: "teams/@octo-org/admins/main.tf", resource: "aws_iam_access_key.x" });
    await scan(SHA1, [hostile]);
    const post = gh.writes().find((w) => w.path.endsWith("/issues"))!;
    expect(post.body.title).not.toMatch(/@octo-org/);
    const prose = String(post.body.body)
      .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "")
      .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
    expect(prose).not.toMatch(/(^|[^\w])@octo-org/);
  });
});

describe("write failures", () => {
  it.each([["applied-then-502" as const], ["applied-then-drop" as const]])(
    "a create that GitHub applied before failing (%s) is not repeated",
    async (kind) => {
      gh.failNext("POST", /\/issues$/, { kind });
      const { result } = await scan(SHA1, [A]);
      expect(issueByFingerprint(A.fingerprint)).toHaveLength(1);
      expect(result.created).toEqual([{ fingerprint: A.fingerprint, number: issueByFingerprint(A.fingerprint)[0]!.number }]);
      expect(gh.writes().filter((w) => w.path.endsWith("/issues"))).toHaveLength(1);
      expect(sleeps).toHaveLength(1);
      expect(result.errors).toEqual([]);
    },
  );

  it("a create that failed without being applied is retried once it is known to be missing", async () => {
    gh.failNext("POST", /\/issues$/, { kind: "status", status: 502, body: { message: "Server Error" } });
    const { result } = await scan(SHA1, [A]);
    expect(issueByFingerprint(A.fingerprint)).toHaveLength(1);
    expect(gh.writes().filter((w) => w.path.endsWith("/issues"))).toHaveLength(2);
    expect(result.created).toHaveLength(1);
  });

  it("a comment GitHub applied before the connection dropped is not posted twice", async () => {
    await scan(SHA1, [A]);
    const [a] = issueByFingerprint(A.fingerprint);
    gh.failNext("POST", /\/comments$/, { kind: "applied-then-drop" });
    const { result } = await scan(SHA2, []);
    expect(gh.comments.get(a!.number)).toHaveLength(1);
    expect(result.commented).toBe(1);
    expect(a!.state).toBe("closed");
  });

  it("a create refused for a secondary rate limit is waited out by Octokit and filed once", async () => {
    gh.failNext("POST", /\/issues$/, {
      kind: "status",
      status: 403,
      headers: { "retry-after": "37", "x-ratelimit-remaining": "4000" },
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: "https://docs.github.com/rest" },
    });
    // Labels in place: only the create and its repeat pay the throttling plugin's write pacing.
    gh.labels.set("keywarden", { color: "5319e7", description: null });
    gh.labels.set("severity:high", { color: "b60205", description: null });
    const { result } = await scan(SHA1, [A], { client: throttledTestOctokit({ auth: TOKEN }) });
    // The throttling plugin waited (37 s, scaled to ms) and repeated it: nothing for the write path to look for.
    expect(sleeps).toEqual([]);
    expect(result.created).toHaveLength(1);
    expect(result.errors).toEqual([]);
    expect(gh.writes().filter((w) => w.path.endsWith("/issues"))).toHaveLength(2);
    expect(issueByFingerprint(A.fingerprint)).toHaveLength(1);
  });

  it("a rate limit still standing after Octokit's waits stops the run and defers the rest", async () => {
    // Without the throttling plugin nothing waits it out: the apply sees the 403 itself.
    gh.failNext("POST", /\/issues$/, { kind: "status", status: 403, body: { message: "You have exceeded a secondary rate limit." } });
    const { result } = await scan(SHA1, [A, B]);
    expect(sleeps).toEqual([]);
    expect(result.errors).toMatchObject([{ action: "create", status: 403 }]);
    expect(result.deferred).toBe(1);
    expect(gh.issues.size).toBe(0);
  });

  it("an edit answered 5xx is repeated in place by Octokit, not by the apply", async () => {
    await scan(SHA1, [A]);
    gh.failNext("PATCH", /\/issues\/\d+$/, { kind: "status", status: 502, body: { message: "Server Error" } });
    gh.failNext("PATCH", /\/issues\/\d+$/, { kind: "drop" });
    const { result } = await scan(SHA2, []);
    expect(result.errors).toEqual([]);
    expect(result.closed).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(gh.writes().filter((w) => w.method === "PATCH" && w.path.includes("/issues/"))).toHaveLength(3);
  });

  it("stops at a plain 403 (permission gone) and leaves the rest for a later run instead of repeating it", async () => {
    gh.failNext("POST", /\/issues$/, {
      kind: "status",
      status: 403,
      body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/issues/issues#create-an-issue", status: "403" },
    });
    const { result } = await scan(SHA1, [A, B]);
    expect(sleeps).toEqual([]);
    expect(result.errors).toMatchObject([{ action: "create", status: 403 }]);
    expect(result.deferred).toBe(1);
    expect(result.created).toEqual([]);
    expect(gh.writes().filter((w) => w.path.endsWith("/issues"))).toHaveLength(1);
  });

  it("issues disabled (410): stops for the repository and records it", async () => {
    gh.issuesDisabled = true;
    const { result } = await scan(SHA1, [A, B]);
    expect(result.issuesDisabled).toBe(true);
    expect(result.skipped).toBe(2);
    expect(result.created).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(gh.writes().filter((w) => w.path.endsWith("/issues"))).toHaveLength(1); // tried once, not per finding
  });

  it("a write cap defers the rest to the next run", async () => {
    const many = Array.from({ length: 5 }, (_, i) => finding({ fingerprint: `eeee000${i}eeee0000`, file: `m${i}.tf` }));
    const budget = createLocalWriteBudget(3); // issues first; nothing left for the labels' colours
    const { result } = await scan(SHA1, many, { budget });
    expect(result.created).toHaveLength(3);
    expect(result.deferred).toBe(2);
    expect(budget.remaining).toBe(0);
    // The next run, with a fresh budget, files the rest and nothing twice.
    const next = await scan(SHA1, many);
    expect(next.result.created).toHaveLength(2);
    // Still as GitHub made them, so that run gave the labels their colour.
    expect(gh.labels.get("keywarden")).toMatchObject({ color: "5319e7" });
    expect(gh.issues.size).toBe(5);
  });

  it("keeps the plan's own cap apart from the budget, and refunds what it did not spend", async () => {
    const budget = createLocalWriteBudget(100);
    const many = Array.from({ length: 4 }, (_, i) => finding({ fingerprint: `ffff000${i}ffff0000`, file: `m${i}.tf` }));
    const { result } = await scan(SHA1, many, { budget, config: { maxNewIssuesPerRun: 1 } });
    expect(result.created).toHaveLength(1);
    expect(result.deferred).toBe(3);
    // The one create; its label edits are writes too, but not content creation (apply-plan/labels.ts).
    expect(result.writes).toBe(3);
    expect(budget.remaining).toBe(99);
  });

  it("never puts the token in results or errors", async () => {
    await scan(SHA1, [A]);
    for (let i = 0; i < 4; i++) gh.failNext("PATCH", /\/issues\/\d+$/, { kind: "status", status: 500, body: { message: `boom token ${TOKEN}` } });
    const { result } = await scan(SHA2, []);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ action: "close", status: 500 });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(TOKEN.slice(4));
  });
});

describe("applyPlan", () => {
  it("retries an assignee GitHub refuses without the assignee rather than losing the issue", async () => {
    gh.failNext("POST", /\/issues$/, {
      kind: "status",
      status: 422,
      body: { message: "Validation Failed", errors: [{ resource: "Issue", code: "invalid", field: "assignees" }], documentation_url: "https://docs.github.com/rest" },
    });
    const plan = planIssues({
      findings: [A],
      suppressed: [],
      existing: [],
      config: parseConfig({ assignees: ["departed-user"] }).config,
      target: target(SHA1),
      scannedCommit: SHA1,
    });
    const result = await applyPlan(plan, { octokit: octokit(), repo: { owner: gh.owner, repo: gh.repo }, botLogin: botLogin(gh.appSlug), budget: createLocalWriteBudget(50) });
    expect(result.created).toHaveLength(1);
    expect(result.errors).toEqual([]);
    expect(result.warnings[0]!.message).toMatch(/assignees not applied/);
    expect(issueByFingerprint(A.fingerprint)[0]!.assignees).toEqual([]);
  });

  it("draws on an installation-wide budget through forInstallation, refunding what it did not use", async () => {
    const used = new Map<number, number>();
    const shared = {
      async reserve(id: number, wanted: number) {
        const grant = Math.min(wanted, 3 - (used.get(id) ?? 0));
        used.set(id, (used.get(id) ?? 0) + grant);
        return grant;
      },
      async refund(id: number, unused: number) {
        used.set(id, (used.get(id) ?? 0) - unused);
      },
    };
    gh.labels.set("keywarden", { color: "5319e7", description: null });
    gh.labels.set("severity:high", { color: "b60205", description: null });
    const many = Array.from({ length: 4 }, (_, i) => finding({ fingerprint: `abab000${i}abab0000`, file: `m${i}.tf` }));
    const { result } = await scan(SHA1, many, { budget: forInstallation(shared, 77) });
    expect(result.created).toHaveLength(3);
    expect(result.deferred).toBe(1);
    expect(used.get(77)).toBe(3);
    expect(used.has(78)).toBe(false);
  });
});

describe("listing Keywarden's issues", () => {
  const repo = () => ({ owner: gh.owner, repo: gh.repo });
  const seedFindings = (count: number, from = 0) => {
    for (let i = from; i < from + count; i++) {
      const f = finding({ fingerprint: `${(0x10000000 + i).toString(16)}00000000` });
      gh.seedIssue({ title: `t${i}`, body: renderIssueBody(f, target(SHA1)), state: i % 3 ? "open" : "closed", state_reason: i % 3 ? null : "completed" });
    }
  };

  it("reads every page (GitHub's Link header), in all states, and skips pull requests and other authors", async () => {
    seedFindings(130);
    gh.seedIssue({ title: "pr", body: renderIssueBody(A, target(SHA1)), pullRequest: true });
    // Another app's issue quoting a finding's body is that app's, not Keywarden's.
    gh.seedIssue({ title: "other app", body: renderIssueBody(B, target(SHA1)), user: { login: "other-app[bot]", id: 7, type: "Bot" } });
    const issues = await listFindingIssues(octokit(), repo(), botLogin(gh.appSlug), { state: "all", sort: "created", direction: "asc", fallback: true });
    expect(issues).toHaveLength(130);
    expect(issues.filter((i) => i.state === "closed" && i.stateReason === "completed")).toHaveLength(44);
    expect(issues[0]!.meta?.ruleId).toBe(A.ruleId);
    expect(issues.every((i) => i.url.startsWith("https://github.com/octo-org/infra/issues/") && i.createdAt && i.author === "keywarden[bot]")).toBe(true);
    const listings = gh.requests.filter((r) => r.method === "GET");
    expect(listings).toHaveLength(2);
    expect(listings[1]!.path).toMatch(/[?&]page=2(&|$)/);
  });

  it("finds the issue of a finding on the second page: no duplicate (fails if only page one is read)", async () => {
    // 120 older findings, all fixed and closed (nothing to do for them), then A's issue: the 121st,
    // on the second page of the oldest-first listing.
    for (let i = 0; i < 120; i++) {
      const f = finding({ fingerprint: `${(0x20000000 + i).toString(16)}00000000` });
      gh.seedIssue({ title: `old ${i}`, body: renderIssueBody(f, target(SHA1)), state: "closed", state_reason: "completed" });
    }
    gh.seedIssue({ title: "A", body: renderIssueBody(A, target(SHA1)) });
    const { result } = await scan(SHA1, [A]);
    expect(result.created).toEqual([]);
    expect(issueByFingerprint(A.fingerprint)).toHaveLength(1);
    expect(gh.writes()).toEqual([]);
    expect(gh.requests.filter((r) => r.method === "GET" && /[?&]page=2(&|$)/.test(r.path))).toHaveLength(1);
  });
});

describe("GitHub Enterprise Server", () => {
  it("talks to the server's API and links to the server's web UI", async () => {
    gh.stop();
    const ghe = new FakeGitHubRepo({ owner: "octo-org", repo: "infra", api: "http://ghe.local/api/v3", web: "http://ghe.local" }).start();
    try {
      const { result } = await syncIssues({
        octokit: new TestOctokit({ auth: TOKEN, baseUrl: "http://ghe.local/api/v3", log: quiet }),
        repo: { owner: "octo-org", repo: "infra" },
        botLogin: "keywarden[bot]",
        budget: createLocalWriteBudget(10),
        findings: [A],
        suppressed: [],
        config: parseConfig({}).config,
        serverUrl: "http://ghe.local",
        scannedCommit: SHA1,
      });
      expect(result.created).toHaveLength(1);
      expect([...ghe.issues.values()][0]!.body).toContain(`http://ghe.local/octo-org/infra/blob/${SHA1}/envs/prod/iam.tf#L1-L4`);
    } finally {
      ghe.stop();
    }
  });
});
