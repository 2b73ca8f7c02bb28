/**
 * The I/O half of the summary against GitHub's HTTP API (nock, replies shaped from the REST API
 * description's examples): reading Keywarden's issues, choosing the repository, posting the summary.
 */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { useStrictNock } from "../../helpers/strict-nock.js";
import { collectFindingIssues } from "../../../src/github/summary/collect.js";
import { chooseSummaryRepository, postSummary, resolveSummaryRepository } from "../../../src/github/summary/post.js";
import { summaryMarker, summaryTitle } from "../../../src/summary/render.js";
import { auditRecordsFrom, postWeeklySummary } from "../../../src/github/summary/run.js";
import { createLocalWriteBudget } from "../../../src/github/issues-gateway/index.js";
import { example, findingBody, githubIssue, meta, MEDIUM_RULE } from "../../summary/fixtures.js";

const API = "https://api.github.com";
const TOKEN = "ghs_summaryTestToken0000000000000000";
const Octokit = ProbotOctokit.defaults((o: Record<string, any>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
const octokit = () => new Octokit({ auth: { token: TOKEN } }) as InstanceType<typeof ProbotOctokit>;
const BOT = "keywarden[bot]";
/** Another GitHub App's bot user: its issues are never Keywarden's, whatever they carry. */
const otherBot = () => ({ ...(example("issue").user as object), login: "other-app[bot]", type: "Bot" });

useStrictNock();

const notFound = { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" };

describe("collectFindingIssues", () => {
  it("reads Keywarden's issues in every state, page by page, recognised by marker", async () => {
    const open = meta("a1b2c3d4", { file: "iam/root.tf" });
    const accepted = meta("b1b2c3d4", { ruleId: MEDIUM_RULE, severity: "MEDIUM" });
    const fixed = meta("c1b2c3d4");
    const query = { state: "all", per_page: "100", creator: "keywarden[bot]" };
    nock(API)
      .get("/repos/acme/api/issues")
      .query(query)
      .reply(
        200,
        [
          githubIssue("acme", "api", { number: 4, state: "open", state_reason: null, body: findingBody(open), created_at: "2026-10-01T00:00:00Z", closed_at: null }),
          // someone removed the meta marker: still Keywarden's issue, by its fingerprint
          githubIssue("acme", "api", { number: 3, state: "closed", state_reason: "not_planned", body: findingBody(accepted, false), created_at: "2026-09-01T00:00:00Z", closed_at: "2026-11-22T10:00:00Z" }),
          githubIssue("acme", "api", { number: 2, state: "open", body: "A person's own issue, no marker" }),
          // a person quoting a finding's body: the marker alone does not make it Keywarden's
          githubIssue("acme", "api", { number: 6, state: "open", body: findingBody(open), user: example("issue").user }),
          // nor does another app's: only the app's own login makes an issue Keywarden's
          githubIssue("acme", "api", { number: 8, state: "open", body: findingBody(open), user: otherBot() }),
          { ...githubIssue("acme", "api", { number: 9, body: findingBody(open) }), pull_request: example("issue").pull_request },
        ],
        { link: `<${API}/repositories/1/issues?state=all&per_page=100&creator=keywarden%5Bbot%5D&page=2>; rel="next"` },
      )
      .get("/repositories/1/issues")
      .query({ ...query, page: "2" })
      .reply(200, [
        githubIssue("acme", "api", { number: 1, state: "closed", state_reason: "completed", body: findingBody(fixed), created_at: "2026-08-01T00:00:00Z", closed_at: "2026-08-11T00:00:00Z" }),
      ]);

    const { records, errors } = await collectFindingIssues(octokit(), [{ owner: "acme", repo: "api" }], { botLogin: BOT });
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { repo: "acme/api", number: 4, url: "https://github.com/acme/api/issues/4", state: "open", stateReason: null, createdAt: "2026-10-01T00:00:00Z", closedAt: null, fingerprint: "a1b2c3d4", meta: open },
      { repo: "acme/api", number: 3, url: "https://github.com/acme/api/issues/3", state: "closed", stateReason: "not_planned", createdAt: "2026-09-01T00:00:00Z", closedAt: "2026-11-22T10:00:00Z", fingerprint: "b1b2c3d4" },
      { repo: "acme/api", number: 1, url: "https://github.com/acme/api/issues/1", state: "closed", stateReason: "completed", createdAt: "2026-08-01T00:00:00Z", closedAt: "2026-08-11T00:00:00Z", fingerprint: "c1b2c3d4", meta: fixed },
    ]);
  });

  it("records a repository it cannot read and goes on with the others, without leaking the token", async () => {
    const f = meta("d1b2c3d4");
    nock(API)
      .get("/repos/acme/quiet/issues").query(true)
      .reply(410, { message: "Issues are disabled for this repo", documentation_url: "https://docs.github.com/rest/issues/issues#list-repository-issues", status: "410" })
      .get("/repos/acme/broken/issues").query(true)
      .reply(500, { message: "Server Error" })
      .get("/repos/acme/web/issues").query({ state: "all", per_page: "100", creator: BOT })
      .reply(200, [githubIssue("acme", "web", { number: 7, state: "open", body: findingBody(f), created_at: "2026-11-01T00:00:00Z", closed_at: null })]);

    const repos = ["quiet", "broken", "web"].map((repo) => ({ owner: "acme", repo }));
    const { records, errors } = await collectFindingIssues(octokit(), repos, { botLogin: BOT, concurrency: 1 });
    expect(records.map((r) => `${r.repo}#${r.number}`)).toEqual(["acme/web#7"]);
    expect(errors.map((e) => [e.repo, e.status])).toEqual([
      ["acme/broken", 500],
      ["acme/quiet", 410],
    ]);
    expect(errors[1]!.message).toBe("issues are disabled in this repository");
    expect(JSON.stringify(errors)).not.toContain(TOKEN);
  });
});

describe("chooseSummaryRepository", () => {
  it("prefers summary.repository from the organization's config", () => {
    expect(chooseSummaryRepository({ summary: { repository: "security" } }, true)).toEqual({ kind: "repository", repo: "security", source: "config" });
    expect(chooseSummaryRepository({ summary: { repository: " acme/security " } }, false)).toEqual({ kind: "repository", owner: "acme", repo: "security", source: "config" });
  });

  it("falls back to the organization's .github repository, else no summary with a reason", () => {
    expect(chooseSummaryRepository({}, true)).toEqual({ kind: "repository", repo: ".github", source: "dot-github" });
    expect(chooseSummaryRepository(undefined, true)).toEqual({ kind: "repository", repo: ".github", source: "dot-github" });
    const none = chooseSummaryRepository({ summary: {} }, false);
    expect(none.kind).toBe("none");
    expect(none.kind === "none" && none.reason).toMatch(/no summary\.repository .* no \.github repository/);
  });

  it("refuses a configured value that is not a repository name, naming the field", () => {
    for (const bad of ["../secrets", "a/b/c", "has space", "..", 42, { name: "x" }]) {
      const target = chooseSummaryRepository({ summary: { repository: bad } }, true);
      expect(target.kind, String(bad)).toBe("none");
      expect(target.kind === "none" && target.reason).toMatch(/^summary\.repository/);
    }
  });
});

describe("resolveSummaryRepository", () => {
  it("uses the configured repository without asking GitHub", async () => {
    expect(await resolveSummaryRepository(octokit(), "acme", { summary: { repository: "security" } })).toEqual({ owner: "acme", repo: "security" });
  });

  it("refuses a configured repository in another account", async () => {
    const r = await resolveSummaryRepository(octokit(), "acme", { summary: { repository: "other/security" } });
    expect(r).toEqual({ reason: "summary.repository names other/security, outside acme: no summary posted" });
  });

  it("checks for the .github repository when nothing is configured", async () => {
    nock(API).get("/repos/acme/.github").reply(200, { ...example("full-repository"), name: ".github", full_name: "acme/.github", private: true, visibility: "private" });
    expect(await resolveSummaryRepository(octokit(), "acme", {})).toEqual({ owner: "acme", repo: ".github" });
    nock(API).get("/repos/solo/.github").reply(404, notFound);
    const none = await resolveSummaryRepository(octokit(), "solo", null);
    expect("reason" in none && none.reason).toMatch(/no summary posted/);
  });

  it("never defaults to a public .github repository: the summary would publish where the live keys are", async () => {
    nock(API).get("/repos/acme/.github").reply(200, { ...example("full-repository"), name: ".github", full_name: "acme/.github", private: false, visibility: "public" });
    const r = await resolveSummaryRepository(octokit(), "acme", {});
    expect("reason" in r && r.reason).toMatch(/acme\/\.github is public .*set summary\.repository/);
  });
});

describe("postSummary", () => {
  const target = { owner: "acme", repo: ".github" };
  const week = "2026-W48";
  const body = `${summaryMarker(week)}\n## ${summaryTitle(week)}\n\n- [ ] Re-scan all repositories now <!-- keywarden:rescan -->\n`;
  const summary = { week, title: summaryTitle(week), body };
  const bot = { ...(example("issue").user as object), login: BOT, type: "Bot" };
  const summaryIssue = (number: number, w: string, fields: Record<string, unknown> = {}) =>
    githubIssue("acme", ".github", { number, state: "open", state_reason: null, title: summaryTitle(w), body: `${summaryMarker(w)}\nold numbers\n`, user: bot, ...fields });
  const since = "2026-11-23T00:00:00.000Z";
  const ISSUES = "/repos/acme/.github/issues";
  // The app's own issues first (creator=SLUG[bot]); when that finds none, every issue, filtered by
  // author here (a creator filter that silently matches nothing must not make a second summary).
  const open = { state: "open", per_page: "100", creator: BOT };
  const closedSince = { state: "closed", per_page: "100", creator: BOT, since };
  const unfiltered = (q: Record<string, string>) => Object.fromEntries(Object.entries(q).filter(([k]) => k !== "creator"));
  const post = (s = summary, budget = createLocalWriteBudget(20)) => postSummary(octokit(), target, s, { botLogin: BOT, budget, sleep: async () => {} });

  it("creates this week's issue, then closes the previous one with a comment linking to it", async () => {
    let comment: { body?: string } = {};
    let closing: Record<string, unknown> = {};
    let created: Record<string, unknown> = {};
    nock(API)
      .get(ISSUES).query(open)
      .reply(200, [summaryIssue(30, "2026-W47"), githubIssue("acme", ".github", { number: 29, body: "Unrelated discussion" })])
      .get(ISSUES).query(closedSince)
      .reply(200, [])
      .get(ISSUES).query(unfiltered(closedSince))
      .reply(200, [])
      .post(ISSUES, (b) => ((created = b), true))
      .reply(201, githubIssue("acme", ".github", { number: 31, title: summary.title, body }))
      .post(`${ISSUES}/30/comments`, (b) => ((comment = b), true))
      .reply(201, { ...example("issue-comment"), body: "Superseded" })
      .patch(`${ISSUES}/30`, (b) => ((closing = b), true))
      .reply(200, summaryIssue(30, "2026-W47", { state: "closed", state_reason: "completed" }));

    const budget = createLocalWriteBudget(20);
    const result = await post(summary, budget);
    expect(result).toEqual({ number: 31, url: "https://github.com/acme/.github/issues/31", action: "created", closed: [30] });
    expect(created).toEqual({ title: "Keywarden compliance summary — 2026-W48", body });
    // With its hidden marker, so a comment whose reply is lost is found again, not posted twice.
    expect(comment.body).toMatch(/^Superseded by the 2026-W48 summary: https:\/\/github\.com\/acme\/\.github\/issues\/31\n\n<!-- keywarden:comment=[0-9a-f]{16} -->$/);
    expect(closing).toEqual({ state: "closed", state_reason: "completed" });
    // Three writes out of the installation's budget: the issue, the comment, the close.
    expect(budget.remaining).toBe(17);
  });

  it("is idempotent within a week: the same body writes nothing, a new body edits the same issue", async () => {
    nock(API).get(ISSUES).query(open).reply(200, [summaryIssue(31, week, { body })]);
    const budget = createLocalWriteBudget(20);
    expect(await post(summary, budget)).toEqual({ number: 31, url: "https://github.com/acme/.github/issues/31", action: "unchanged", closed: [] });
    expect(budget.remaining).toBe(20);

    const newer = { ...summary, body: body.replace("## ", "## Updated: ") };
    let edit: Record<string, unknown> = {};
    nock(API)
      .get(ISSUES).query(open)
      .reply(200, [summaryIssue(31, week, { body })])
      .patch(`${ISSUES}/31`, (b) => ((edit = b), true))
      .reply(200, summaryIssue(31, week, { body: newer.body }));
    expect(await post(newer)).toMatchObject({ number: 31, action: "updated", closed: [] });
    expect(edit).toEqual({ title: newer.title, body: newer.body });
  });

  it("finds this week's summary even if someone closed it, instead of filing a second one", async () => {
    nock(API)
      .get(ISSUES).query(open)
      .reply(200, [])
      .get(ISSUES).query(unfiltered(open))
      .reply(200, [])
      .get(ISSUES).query(closedSince)
      .reply(200, [summaryIssue(31, week, { state: "closed", state_reason: "completed" })])
      .patch(`${ISSUES}/31`)
      .reply(200, summaryIssue(31, week, { state: "closed", body }));
    expect(await post()).toMatchObject({ number: 31, action: "updated", closed: [] });
  });

  it("finds this week's summary when the server's creator filter matches nothing", async () => {
    nock(API)
      .get(ISSUES).query(open)
      .reply(200, [])
      .get(ISSUES).query(unfiltered(open))
      .reply(200, [githubIssue("acme", ".github", { number: 29, body: "Unrelated discussion" }), summaryIssue(31, week, { body })]);
    expect(await post()).toEqual({ number: 31, url: "https://github.com/acme/.github/issues/31", action: "unchanged", closed: [] });
  });

  it("leaves a later week's summary open and ignores a pasted marker in a pull request", async () => {
    nock(API)
      .get(ISSUES).query(open)
      .reply(200, [summaryIssue(40, "2026-W49"), { ...summaryIssue(41, "2026-W47"), pull_request: example("issue").pull_request }])
      .get(ISSUES).query(closedSince)
      .reply(200, [])
      .get(ISSUES).query(unfiltered(closedSince))
      .reply(200, [])
      .post(ISSUES)
      .reply(201, githubIssue("acme", ".github", { number: 42, body }));
    expect(await post()).toEqual({ number: 42, url: "https://github.com/acme/.github/issues/42", action: "created", closed: [] });
  });

  it("never takes a person's or another app's issue that carries the marker for a summary", async () => {
    const person = example("issue").user as { type: string };
    expect(person.type).toBe("User");
    nock(API)
      .get(ISSUES).query(open)
      .reply(200, [summaryIssue(50, week, { user: person }), summaryIssue(51, "2026-W47", { user: person }), summaryIssue(53, "2026-W47", { user: otherBot() })])
      .get(ISSUES).query(closedSince)
      .reply(200, [])
      .get(ISSUES).query(unfiltered(closedSince))
      .reply(200, [])
      .post(ISSUES)
      .reply(201, githubIssue("acme", ".github", { number: 52, body }));
    // created anew; none of their issues edited nor closed (nock refuses any other request)
    expect(await post()).toEqual({ number: 52, url: "https://github.com/acme/.github/issues/52", action: "created", closed: [] });
  });

  it("a summary GitHub created before the reply was lost is found, not filed twice", async () => {
    nock(API)
      .get(ISSUES).query(open)
      .reply(200, [summaryIssue(30, "2026-W47")])
      .get(ISSUES).query(closedSince)
      .reply(200, [])
      .get(ISSUES).query(unfiltered(closedSince))
      .reply(200, [])
      .post(ISSUES)
      .reply(502, { message: "Server Error" })
      .get(ISSUES).query({ state: "all", sort: "created", direction: "desc", per_page: "100", creator: BOT })
      .reply(200, [summaryIssue(31, week, { body }), summaryIssue(30, "2026-W47")])
      .post(`${ISSUES}/30/comments`)
      .reply(201, { ...example("issue-comment"), body: "Superseded" })
      .patch(`${ISSUES}/30`)
      .reply(200, summaryIssue(30, "2026-W47", { state: "closed", state_reason: "completed" }));
    expect(await post()).toEqual({ number: 31, url: "https://github.com/acme/.github/issues/31", action: "created", closed: [30] });
  });

  it("posts nothing without budget (the job's next attempt does), and closes older ones only as budget allows", async () => {
    nock(API).get(ISSUES).query(open).reply(200, [summaryIssue(30, "2026-W47"), summaryIssue(31, week)]);
    await expect(post(summary, createLocalWriteBudget(0))).rejects.toThrow(/write budget spent: the 2026-W48 summary is posted on the job's next attempt/);

    nock(API)
      .get(ISSUES).query(open)
      .reply(200, [summaryIssue(30, "2026-W47"), summaryIssue(31, week)])
      .patch(`${ISSUES}/31`)
      .reply(200, summaryIssue(31, week, { body }));
    // One write: the summary is edited; closing last week's (two writes) waits for a later run.
    expect(await post(summary, createLocalWriteBudget(2))).toEqual({ number: 31, url: "https://github.com/acme/.github/issues/31", action: "updated", closed: [] });
  });

  it("refuses a body without this week's marker (it could never be found again)", async () => {
    await expect(post({ ...summary, body: "no marker" })).rejects.toThrow(/does not carry <!-- keywarden:summary week=2026-W48 -->/);
  });
});

describe("postWeeklySummary", () => {
  const logs: string[] = [];
  const log = { info: (_: object, m: string) => void logs.push(`info ${m}`), warn: (_: object, m: string) => void logs.push(`warn ${m}`) };

  it("posts nothing, with one clear log line, when there is nowhere to post", async () => {
    logs.length = 0;
    nock(API).get("/repos/solo/.github").reply(404, notFound);
    const result = await postWeeklySummary({ octokit: octokit(), owner: "solo", config: undefined, repositories: [{ owner: "solo", repo: "infra" }], botLogin: BOT, budget: createLocalWriteBudget(10), now: new Date("2026-11-23T08:00:00Z"), log });
    expect(result.posted).toBe(false);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^info weekly summary skipped for solo: no summary\.repository .* no summary posted$/);
  });

  it("reads the issues, renders and posts this week's summary in the configured repository", async () => {
    logs.length = 0;
    const f = meta("e1b2c3d4", { file: "prod/iam.tf" });
    let created: { title?: string; body?: string } = {};
    nock(API)
      .get("/repos/acme/infra/issues").query({ state: "all", per_page: "100", creator: "keywarden[bot]" })
      .reply(200, [githubIssue("acme", "infra", { number: 5, state: "open", body: findingBody(f), created_at: "2026-11-20T00:00:00Z", closed_at: null })])
      .get("/repos/acme/security/issues").query({ state: "open", per_page: "100", creator: "keywarden[bot]" })
      .reply(200, [])
      .get("/repos/acme/security/issues").query({ state: "open", per_page: "100" })
      .reply(200, [])
      .get("/repos/acme/security/issues").query({ state: "closed", per_page: "100", creator: "keywarden[bot]", since: "2026-11-23T00:00:00.000Z" })
      .reply(200, [])
      .get("/repos/acme/security/issues").query({ state: "closed", per_page: "100", since: "2026-11-23T00:00:00.000Z" })
      .reply(200, [])
      .post("/repos/acme/security/issues", (b) => ((created = b), true))
      .reply(201, githubIssue("acme", "security", { number: 1 }));

    const states = [
      { fullName: "acme/infra", status: "scanned" as const, findings: 1 },
      { fullName: "acme/removed-since", status: "failed" as const, reason: "gone" },
    ];
    const repositories = [{ owner: "acme", repo: "infra" }];
    const result = await postWeeklySummary({
      octokit: octokit(),
      owner: "acme",
      config: { summary: { repository: "security" } },
      repositories,
      audit: auditRecordsFrom(states, repositories),
      botLogin: BOT,
      budget: createLocalWriteBudget(10),
      now: new Date("2026-11-23T08:00:00Z"),
      log,
    });
    expect(result).toMatchObject({ posted: true, repository: "acme/security", week: "2026-W48", issue: { number: 1, action: "created" }, unreadable: 0 });
    expect(created.title).toBe("Keywarden compliance summary — 2026-W48");
    expect(created.body).toContain("| Open findings | **1** (HIGH 1) |");
    expect(created.body).toContain("| Compliant repositories | **0 of 1** scanned (0%) |");
    expect(created.body).not.toContain("removed"); // a repository no longer installed drops out
    expect(logs).toEqual(["info weekly summary 2026-W48 created in acme/security"]);
  });
});
