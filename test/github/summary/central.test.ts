/**
 * The weekly summary with a central issue repository (`issues.repository`): issues filed there for a
 * repository whose issues are disabled count under that repository, and its 410 is not "unreadable".
 * GitHub's API through nock, replies shaped from the REST API description's examples.
 */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { useStrictNock } from "../../helpers/strict-nock.js";
import { collectFindingIssues } from "../../../src/github/summary/collect.js";
import { computeSummary } from "../../../src/summary/compute.js";
import { fingerprintMarker, metaMarker, sourceMarker, type FindingMeta } from "../../../src/issues/marker.js";
import { githubIssue, meta, MEDIUM_RULE } from "../../summary/fixtures.js";

const API = "https://api.github.com";
const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
const octokit = () => new Octokit({ auth: { token: "ghs_summaryCentralTestToken000000000" } }) as InstanceType<typeof ProbotOctokit>;
const BOT = "keywarden[bot]";
const QUERY = { state: "all", per_page: "100", creator: BOT };
const LEGACY_ID = 700_000_101;

useStrictNock();

const body = (m: FindingMeta, source?: number) => `A finding.\n\n${fingerprintMarker(m.fingerprint)}\n${source !== undefined ? `${sourceMarker(source)}\n` : ""}${metaMarker(m)}\n`;
const gone = { message: "Issues are disabled for this repo", documentation_url: "https://docs.github.com/rest/issues/issues#list-repository-issues", status: "410" };

function replies() {
  // The same fingerprint in both: identical files in the central repository and in legacy.
  const own = meta("abcd0000abcd0000");
  const legacyHigh = meta("abcd0000abcd0000", { sourceRepo: "octo-org/legacy" });
  const legacyMedium = meta("bcde0000bcde0000", { ruleId: MEDIUM_RULE, severity: "MEDIUM", sourceRepo: "octo-org/legacy" });
  nock(API)
    .get("/repos/octo-org/security-findings/issues")
    .query(QUERY)
    .reply(200, [
      githubIssue("octo-org", "security-findings", { number: 1, state: "open", state_reason: null, body: body(own), created_at: "2026-11-20T00:00:00Z", closed_at: null }),
      githubIssue("octo-org", "security-findings", { number: 2, state: "open", state_reason: null, body: body(legacyHigh, LEGACY_ID), created_at: "2026-11-21T00:00:00Z", closed_at: null }),
      githubIssue("octo-org", "security-findings", { number: 3, state: "closed", state_reason: "completed", body: body(legacyMedium, LEGACY_ID), created_at: "2026-11-01T00:00:00Z", closed_at: "2026-11-22T00:00:00Z" }),
    ])
    .get("/repos/octo-org/legacy/issues")
    .query(QUERY)
    .reply(410, gone);
}
const REPOS = [
  { owner: "octo-org", repo: "security-findings" },
  { owner: "octo-org", repo: "legacy" },
];

describe("the summary with issues.repository", () => {
  it("counts issues filed centrally under their source repository, and the source's 410 is not an error", async () => {
    replies();
    const { records, errors } = await collectFindingIssues(octokit(), REPOS, { botLogin: BOT, centralRepository: "security-findings" });
    expect(errors).toEqual([]);
    expect(records.map((r) => [r.repo, r.number, r.url])).toEqual([
      ["octo-org/security-findings", 1, "https://github.com/octo-org/security-findings/issues/1"],
      ["octo-org/legacy", 2, "https://github.com/octo-org/security-findings/issues/2"],
      ["octo-org/legacy", 3, "https://github.com/octo-org/security-findings/issues/3"],
    ]);

    const audit = [
      { repo: "octo-org/security-findings", status: "scanned" as const, findings: 1, issuesDisabled: false },
      { repo: "octo-org/legacy", status: "scanned" as const, findings: 1, issuesDisabled: false },
    ];
    const n = computeSummary({ now: new Date("2026-11-23T08:00:00Z"), issues: records, audit, issueErrors: errors });
    expect(n.open.total).toBe(2);
    const row = (repo: string) => n.repositories.find((r) => r.repo === repo);
    expect(row("octo-org/legacy")).toMatchObject({ open: 1, openBySeverity: { HIGH: 1 }, fixedThisWeek: 1, issuesDisabled: false });
    expect(row("octo-org/security-findings")).toMatchObject({ open: 1, fixedThisWeek: 0 });
    expect(n.unscanned).toEqual([]);
  });

  it("without issues.repository, a repository with issues disabled is still reported as such", async () => {
    replies();
    const { records, errors } = await collectFindingIssues(octokit(), REPOS, { botLogin: BOT });
    expect(errors).toEqual([{ repo: "octo-org/legacy", status: 410, message: "issues are disabled in this repository" }]);
    // Issues already filed centrally still count under their source.
    expect(records.filter((r) => r.repo === "octo-org/legacy").map((r) => r.number)).toEqual([2, 3]);
  });
});
