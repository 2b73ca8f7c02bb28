import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configProblemsHash, renderConfigProblemsIssue, reportConfigProblems } from "../../src/github/config-problems-issue.js";
import { botLogin, createLocalWriteBudget, type WriteBudget } from "../../src/github/issues-gateway/index.js";
import { FakeGitHubRepo } from "../helpers/github-nock.js";
import { TestOctokit } from "../helpers/probot.js";

const problems = [
  { key: "minSeverity", message: "must be one of high, medium, low, info; got \"urgent\" @security-team" },
  { key: "labels|high", message: "must be a label name" },
];
const CONFIG = ".github/keywarden.yml";

let gh: FakeGitHubRepo;
let sleeps: number[];

beforeEach(() => {
  nock.disableNetConnect();
  gh = new FakeGitHubRepo({ owner: "acme", repo: "infra", appSlug: "keywarden" }).start();
  sleeps = [];
});
afterEach(() => {
  gh.stop();
  nock.enableNetConnect();
});

function report(list = problems, budget: WriteBudget = createLocalWriteBudget(10)) {
  return reportConfigProblems(list, CONFIG, {
    client: new TestOctokit({ auth: "t", log: { debug() {}, info() {}, warn() {}, error() {} } }),
    repo: { owner: gh.owner, repo: gh.repo },
    botLogin: botLogin(gh.appSlug),
    budget,
    sleep: async (ms) => void sleeps.push(ms),
  });
}

const reports = () => [...gh.issues.values()].filter((i) => i.body?.includes("keywarden:config-problems="));

describe("config problems issue", () => {
  it("names every key, cannot ping anyone, and keeps the table intact", () => {
    const { title, body } = renderConfigProblemsIssue(problems, CONFIG);
    expect(title).toContain("invalid configuration");
    expect(body).toContain("`minSeverity`");
    expect(body).toContain("labels\\|high");
    expect(body).not.toMatch(/(^|[^\u200D])@security-team/);
    expect(body.split("\n").filter((l) => l.startsWith("| ")).every((l) => l.endsWith(" |"))).toBe(true);
    expect(body).toContain(`<!-- keywarden:config-problems=${configProblemsHash(problems)} -->`);
  });

  it("files the issue once per distinct set of problems", async () => {
    expect(await report()).toBe("created");
    expect(reports()).toHaveLength(1);
    expect(reports()[0]!.body).toContain("minSeverity");
    expect(await report([...problems].reverse())).toBe("already-reported");
    expect(await report([])).toBe("none");
    expect(await report([problems[0]!])).toBe("created");
    expect(reports()).toHaveLength(2);
  });

  it("finds the report behind a hundred newer issues of the app (the second page), and files no duplicate", async () => {
    gh.seedIssue({ title: "Keywarden: invalid configuration", body: renderConfigProblemsIssue(problems, CONFIG).body });
    for (let i = 0; i < 120; i++) gh.seedIssue({ title: `finding ${i}`, body: "<!-- keywarden:fingerprint=0123456789abcdef -->" });
    expect(await report()).toBe("already-reported");
    expect(gh.writes()).toEqual([]);
    expect(gh.requests.some((r) => /[?&]page=2(&|$)/.test(r.path))).toBe(true);
  });

  it("does not take another app's or a person's issue carrying the marker for its report", async () => {
    const body = renderConfigProblemsIssue(problems, CONFIG).body;
    gh.seedIssue({ title: "copy", body, user: { login: "other-app[bot]", id: 7, type: "Bot" } });
    gh.seedIssue({ title: "copy", body, user: { login: "octocat", id: 1, type: "User" } });
    expect(await report()).toBe("created");
    expect(reports().filter((i) => i.user.login === "keywarden[bot]")).toHaveLength(1);
  });

  it("spends one write of the budget, and defers the report when there is none left", async () => {
    const empty = createLocalWriteBudget(0);
    expect(await report(problems, empty)).toBe("deferred");
    expect(gh.writes()).toEqual([]);
    const budget = createLocalWriteBudget(5);
    expect(await report(problems, budget)).toBe("created");
    expect(budget.remaining).toBe(4);
    expect(await report(problems, budget)).toBe("already-reported");
    expect(budget.remaining).toBe(4);
  });

  it("a report GitHub filed before the reply was lost is found, not filed twice", async () => {
    gh.failNext("POST", /\/issues$/, { kind: "applied-then-502" });
    expect(await report()).toBe("created");
    expect(reports()).toHaveLength(1);
    expect(gh.writes()).toHaveLength(1);
    expect(sleeps).toHaveLength(1);
  });
});
