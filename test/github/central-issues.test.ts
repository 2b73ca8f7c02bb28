/**
 * Filing in a central repository (`issues.repository`) against GitHub's API (nock, GitHub's shapes,
 * state kept between scans by FakeGitHubRepo): the scan job's routing decision, and the lifecycle
 * of the source's issues there, which never touches the central repository's own findings' issues
 * nor another source's, even with identical fingerprints.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/repo-config.js";
import { resolveIssueDestination, type ScannedRepository, type SourceRepository } from "../../src/github/issue-destination.js";
import { botLogin, createLocalWriteBudget } from "../../src/github/issues-gateway/index.js";
import { syncIssues } from "../../src/github/sync-issues.js";
import { readFindingMarkers, readMeta } from "../../src/issues/marker.js";
import { renderIssueBody } from "../../src/issues/render-issue.js";
import type { Finding } from "../../src/domain/types.js";
import { errorReply, example, FakeGitHubRepo, GITHUB_API } from "../helpers/github-nock.js";
import { TestOctokit } from "../helpers/probot.js";
import { finding, SHA1, SHA2, SHA3, suppressed } from "./issue-fixtures.js";

const TOKEN = "ghs_CentralIssuesTestTokenThatMustNeverLeak01";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const octokit = () => new TestOctokit({ auth: TOKEN, log: quiet });
const LEGACY: SourceRepository = { id: 700_000_101, owner: "octo-org", repo: "legacy" };
const OLD_APP: SourceRepository = { id: 700_000_102, owner: "octo-org", repo: "old-app" };
const A = finding({ fingerprint: "aaaa0000aaaa0000", file: "main.tf" });

let central: FakeGitHubRepo;
beforeEach(() => {
  nock.disableNetConnect();
  central = new FakeGitHubRepo({ owner: "octo-org", repo: "security-findings", appSlug: "keywarden" }).start();
});
afterEach(() => {
  central.stop();
  nock.enableNetConnect();
});

function warnings() {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  return { lines, warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }), info() {} };
}

function scanInto(source: SourceRepository | undefined, commit: string, findings: Finding[], extra: Partial<Parameters<typeof syncIssues>[0]> = {}) {
  return syncIssues({
    octokit: octokit(),
    repo: { owner: "octo-org", repo: "security-findings" },
    ...(source ? { source } : {}),
    botLogin: botLogin("keywarden"),
    budget: createLocalWriteBudget(500),
    sleep: async () => {},
    findings,
    suppressed: [],
    config: parseConfig({}).config,
    serverUrl: "https://github.com",
    scannedCommit: commit,
    ...extra,
  });
}

const issuesOf = (source: number | undefined) => [...central.issues.values()].filter((i) => readFindingMarkers(i.body)?.source === source);

describe("syncIssues into a central repository", () => {
  it("files the source's finding there: the title names the source, the body links the source's file at the scanned commit, the markers carry its id and name", async () => {
    const { result } = await scanInto(LEGACY, SHA1, [A]);
    expect(result.errors).toEqual([]);
    expect(result.created).toHaveLength(1);
    const [issue] = [...central.issues.values()];
    expect(issue!.title).toBe("[octo-org/legacy] Root account has active access keys: aws_iam_access_key.root in main.tf");
    expect(issue!.body).toContain(`https://github.com/octo-org/legacy/blob/${SHA1}/main.tf#L1-L4`);
    expect(issue!.body).toContain("**Repository:** `octo-org/legacy`");
    expect(readFindingMarkers(issue!.body)).toMatchObject({ fingerprint: A.fingerprint, source: LEGACY.id });
    expect(readMeta(issue!.body)?.sourceRepo).toBe("octo-org/legacy");
    expect(issue!.body).toBe(renderIssueBody(A, { serverUrl: "https://github.com", owner: "octo-org", repo: "legacy", commitSha: SHA1 }, { source: { id: LEGACY.id, fullName: "octo-org/legacy" } }));
  });

  it("keeps the lifecycle: a redelivery writes nothing, a fix closes with the source's commit, a regression reopens, a suppression closes as not planned", async () => {
    await scanInto(LEGACY, SHA1, [A]);
    const writes = central.writes().length;
    await scanInto(LEGACY, SHA1, [A]);
    expect(central.writes().slice(writes)).toEqual([]);

    const fixed = await scanInto(LEGACY, SHA2, []);
    expect(fixed.result.closed).toHaveLength(1);
    const [issue] = [...central.issues.values()];
    expect(issue).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(central.comments.get(issue!.number)!.at(-1)!.body).toContain(`https://github.com/octo-org/legacy/commit/${SHA2}`);

    const back = await scanInto(LEGACY, SHA3, [A]);
    expect(back.result.reopened.map((r) => r.number)).toEqual([issue!.number]);
    expect(central.issues.size).toBe(1);

    await scanInto(LEGACY, SHA3, [], { suppressed: [suppressed(A)] });
    expect(central.issues.get(issue!.number)).toMatchObject({ state: "closed", state_reason: "not_planned" });
  });

  it("two sources with the same file and fingerprint get separate issues, and neither's sync touches the other's or the central repository's own", async () => {
    // The central repository's own finding, identical fingerprint, filed by its own (normal) sync.
    await scanInto(undefined, SHA1, [A]);
    await scanInto(LEGACY, SHA1, [A]);
    await scanInto(OLD_APP, SHA1, [A]);
    expect(central.issues.size).toBe(3);
    expect([undefined, LEGACY.id, OLD_APP.id].map((s) => issuesOf(s).length)).toEqual([1, 1, 1]);

    // legacy fixed: only legacy's issue closes.
    await scanInto(LEGACY, SHA2, []);
    expect(issuesOf(LEGACY.id)[0]!.state).toBe("closed");
    expect(issuesOf(OLD_APP.id)[0]!.state).toBe("open");
    expect(issuesOf(undefined)[0]!.state).toBe("open");

    // The central repository's own scan, clean now, closes its own issue only.
    await scanInto(undefined, SHA2, []);
    expect(issuesOf(undefined)[0]!.state).toBe("closed");
    expect(issuesOf(OLD_APP.id)[0]!.state).toBe("open");
    // And its own scan with the finding back reopens its own, and files nothing for the sources.
    const own = await scanInto(undefined, SHA3, [A]);
    expect(own.result.reopened.map((r) => r.number)).toEqual([issuesOf(undefined)[0]!.number]);
    expect(own.result.created).toEqual([]);
    expect(issuesOf(LEGACY.id)[0]!.state).toBe("closed");
  });

  it("a rename keeps the issue (identity by id); the body follows the new name", async () => {
    await scanInto(LEGACY, SHA1, [A]);
    const renamed = { ...LEGACY, repo: "legacy-monolith" };
    const { result } = await scanInto(renamed, SHA1, [A]);
    expect(result.created).toEqual([]);
    expect(result.updated).toHaveLength(1);
    expect(central.issues.size).toBe(1);
    expect([...central.issues.values()][0]!.body).toContain("**Repository:** `octo-org/legacy-monolith`");
  });

  it("after a create failed in flight, the look for it matches fingerprint and source, not another source's identical issue", async () => {
    await scanInto(OLD_APP, SHA1, [A]);
    // Not applied: the look must not mistake old-app's issue for it, and so sends it again.
    central.failNext("POST", /\/issues$/, { kind: "status", status: 502, body: { message: "Server Error" } });
    const { result } = await scanInto(LEGACY, SHA1, [A]);
    expect(result.errors).toEqual([]);
    expect(result.created).toHaveLength(1);
    expect(issuesOf(LEGACY.id)).toHaveLength(1);
    expect(result.created[0]!.number).toBe(issuesOf(LEGACY.id)[0]!.number);
  });

  it("a central repository that refuses the writes (403) is one warning naming issues.repository, and the run is recorded as not filed, without an error to retry", async () => {
    central.failNext("POST", /\/issues$/, { kind: "status", status: 403, body: errorReply(403, "Resource not accessible by integration") });
    const log = warnings();
    const { result } = await scanInto(LEGACY, SHA1, [A], { logger: log });
    expect(result).toMatchObject({ errors: [], issuesDisabled: true, created: [] });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]!.obj).toMatchObject({ key: "issues.repository", repository: "octo-org/legacy", central: "octo-org/security-findings" });
    expect(log.lines[0]!.msg).toMatch(/^issues\.repository security-findings: octo-org\/security-findings refused the app's issue writes \(GitHub answered 403: Resource not accessible by integration\), so the findings of octo-org\/legacy .* are not filed\. .*issues\.repository/);
  });
});

describe("resolveIssueDestination", () => {
  const legacy: ScannedRepository = { id: LEGACY.id, name: "legacy", owner: { login: "octo-org" }, has_issues: false };
  const config = (raw: Record<string, unknown>) => parseConfig(raw, { account: "octo-org" }).config;
  const centralRepo = (fields: Record<string, unknown>) => ({ ...example("full-repository"), name: "security-findings", full_name: "octo-org/security-findings", ...fields });
  // The central repository's own interceptor is not needed here: plain nock answers GET /repos.
  beforeEach(() => central.stop());

  it("a repository with issues files its own; with issues disabled and no key, nothing is filed (as before) and nothing is asked", async () => {
    const log = warnings();
    expect(await resolveIssueDestination(octokit(), { ...legacy, has_issues: true }, config({ issues: { repository: "security-findings" } }), log)).toEqual({ file: true, repo: { owner: "octo-org", repo: "legacy" } });
    expect(await resolveIssueDestination(octokit(), legacy, config({}), log)).toEqual({ file: false, reason: "issues are disabled" });
    expect(log.lines).toEqual([]);
  });

  it("routes to the central repository of the same account, with the source's id", async () => {
    nock(GITHUB_API).get("/repos/octo-org/security-findings").reply(200, centralRepo({ archived: false, has_issues: true }));
    expect(await resolveIssueDestination(octokit(), legacy, config({ issues: { repository: "octo-org/security-findings" } }), warnings())).toEqual({
      file: true,
      repo: { owner: "octo-org", repo: "security-findings" },
      source: LEGACY,
    });
  });

  it.each([
    ["missing or not installed", () => nock(GITHUB_API).get("/repos/octo-org/security-findings").reply(404, errorReply(404, "Not Found")), "does not exist or the app's installation cannot see it"],
    ["archived", () => nock(GITHUB_API).get("/repos/octo-org/security-findings").reply(200, centralRepo({ archived: true, has_issues: true })), "is archived (read-only)"],
    ["issues disabled too", () => nock(GITHUB_API).get("/repos/octo-org/security-findings").reply(200, centralRepo({ archived: false, has_issues: false })), "has issues disabled too"],
  ])("a central repository %s: one warning naming issues.repository, nothing filed", async (_, reply, why) => {
    reply();
    const log = warnings();
    const destination = await resolveIssueDestination(octokit(), legacy, config({ issues: { repository: "security-findings" } }), log);
    expect(destination.file).toBe(false);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]!.obj).toMatchObject({ key: "issues.repository", repository: "octo-org/legacy" });
    expect(log.lines[0]!.msg).toBe(
      `issues.repository security-findings: octo-org/security-findings ${why}, so the findings of octo-org/legacy (whose issues are disabled) are not filed. Enable its issues, add it to the app's installation, or name another repository in \`issues.repository\` of the organization's .github/keywarden.yml.`,
    );
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("GitHub failing (5xx) is thrown for the job to retry, not taken as 'cannot file'", async () => {
    nock(GITHUB_API).get("/repos/octo-org/security-findings").times(10).reply(503, errorReply(503, "Service Unavailable"));
    await expect(resolveIssueDestination(octokit(), legacy, config({ issues: { repository: "security-findings" } }), warnings())).rejects.toMatchObject({ status: 503 });
    nock.cleanAll();
  });
});
