import nock from "nock";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configProblemsHash, renderConfigProblemsIssue, reportConfigProblems } from "../../src/github/config-problems-issue.js";
import { issueReply } from "../helpers/github-nock.js";

const problems = [
  { key: "minSeverity", message: "must be one of high, medium, low, info; got \"urgent\" @security-team" },
  { key: "labels|high", message: "must be a label name" },
];
const repo = { owner: "acme", repo: "infra" };

describe("config problems issue", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("names every key, cannot ping anyone, and keeps the table intact", () => {
    const { title, body } = renderConfigProblemsIssue(problems, ".github/keywarden.yml");
    expect(title).toContain("invalid configuration");
    expect(body).toContain("`minSeverity`");
    expect(body).toContain("labels\\|high");
    expect(body).not.toMatch(/(^|[^\u200D])@security-team/);
    expect(body.split("\n").filter((l) => l.startsWith("| ")).every((l) => l.endsWith(" |"))).toBe(true);
    expect(body).toContain(`<!-- keywarden:config-problems=${configProblemsHash(problems)} -->`);
  });

  it("files the issue once per distinct set of problems", async () => {
    const octokit = new Octokit({ request: { retries: 0 } });
    const list = (bodies: string[]) =>
      nock("https://api.github.com")
        .get("/repos/acme/infra/issues")
        .query((q) => q.state === "all" && q.creator === "keywarden[bot]")
        .reply(200, bodies.map((body, i) => issueReply({ ...repo, number: i + 1, title: "x", body })));

    list([]);
    const created = nock("https://api.github.com")
      .post("/repos/acme/infra/issues", (b) => b.title.includes("invalid configuration") && b.body.includes("minSeverity"))
      .reply(201, issueReply({ ...repo, number: 9, title: "t", body: "b" }));
    expect(await reportConfigProblems(octokit, repo, "keywarden", problems, ".github/keywarden.yml")).toBe("created");
    expect(created.isDone()).toBe(true);

    list([renderConfigProblemsIssue([...problems].reverse(), ".github/keywarden.yml").body]);
    expect(await reportConfigProblems(octokit, repo, "keywarden", problems, ".github/keywarden.yml")).toBe("already-reported");
    expect(await reportConfigProblems(octokit, repo, "keywarden", [], ".github/keywarden.yml")).toBe("none");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("finds the report behind a hundred newer issues of the app, and files no duplicate", async () => {
    const octokit = new Octokit({ request: { retries: 0 } });
    const report = renderConfigProblemsIssue(problems, ".github/keywarden.yml").body;
    const newer = Array.from({ length: 100 }, (_, i) =>
      issueReply({ ...repo, number: 200 - i, title: "finding", body: "<!-- keywarden:fingerprint=0123456789abcdef -->" }),
    );
    const api = nock("https://api.github.com");
    api.get("/repos/acme/infra/issues").query((q) => q.creator === "keywarden[bot]" && (q.page ?? "1") === "1").reply(200, newer);
    api
      .get("/repos/acme/infra/issues")
      .query((q) => q.creator === "keywarden[bot]" && q.page === "2")
      .reply(200, [issueReply({ ...repo, number: 1, title: "Keywarden: invalid configuration", body: report })]);
    const created = api.post("/repos/acme/infra/issues").reply(201, issueReply({ ...repo, number: 201, title: "t", body: "b" }));
    expect(await reportConfigProblems(octokit, repo, "keywarden", problems, ".github/keywarden.yml")).toBe("already-reported");
    expect(created.isDone()).toBe(false);
  });
});
