/**
 * The plan when filing in a central repository (`source`): identity is (source, fingerprint), so the
 * central repository's own findings' issues and other sources' issues are never this plan's, and a
 * repository's own plan never sees issues carrying a source marker. Pure: no network, no clock.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/repo-config.js";
import { readFindingMarkers } from "../../src/issues/marker.js";
import { planIssues, type ExistingIssue, type PlanInput } from "../../src/issues/plan-issues.js";
import { renderIssueBody, type IssueSource, type IssueTarget } from "../../src/issues/render-issue.js";
import { finding, SHA1, SHA2 } from "../github/issue-fixtures.js";

const A = finding({ fingerprint: "aaaa0000aaaa0000", file: "main.tf" });
const LEGACY: IssueSource = { id: 700_000_101, fullName: "octo-org/legacy" };
const OTHER: IssueSource = { id: 700_000_102, fullName: "octo-org/old-app" };
const at = (repo: string): IssueTarget => ({ serverUrl: "https://github.com", owner: "octo-org", repo, commitSha: SHA1 });

function issue(number: number, source: IssueSource | undefined, state: ExistingIssue["state"] = "open"): ExistingIssue {
  const body = renderIssueBody(A, at(source ? source.fullName.split("/")[1]! : "security-findings"), source ? { source } : {});
  return { number, state, stateReason: state === "closed" ? "completed" : null, title: "t", body, labels: ["keywarden"], ...readFindingMarkers(body)! };
}
const plan = (input: Partial<PlanInput>) =>
  planIssues({ findings: [], suppressed: [], existing: [], config: parseConfig({}).config, target: at("legacy"), scannedCommit: SHA2, ...input });
const own = issue(1, undefined);
const others = issue(2, OTHER);

describe("planning for a central repository", () => {
  it("a source's plan ignores the central repository's own issue and another source's with the same fingerprint", () => {
    const p = plan({ findings: [A], existing: [own, others], source: LEGACY });
    expect(p.actions).toHaveLength(1);
    const [create] = p.actions;
    expect(create).toMatchObject({ kind: "create", fingerprint: A.fingerprint, source: LEGACY.id, title: "[octo-org/legacy] Root account has active access keys: aws_iam_access_key.root in main.tf" });
    // Nothing found: neither of the others is "gone".
    expect(plan({ existing: [own, others], source: LEGACY }).actions).toEqual([]);
  });

  it("a source's plan runs the lifecycle on its own issues there: gone closes it, back reopens it", () => {
    const mine = issue(3, LEGACY);
    expect(plan({ existing: [own, others, mine], source: LEGACY }).actions.map((a) => [a.kind, "issueNumber" in a ? a.issueNumber : 0])).toEqual([["close", 3]]);
    const closed = { ...issue(3, LEGACY, "closed") };
    expect(plan({ findings: [A], existing: [own, others, closed], source: LEGACY }).actions.map((a) => [a.kind, "issueNumber" in a ? a.issueNumber : 0])).toEqual([["reopen", 3]]);
  });

  it("a repository's own plan never sees centrally filed issues, even in the same repository", () => {
    const p = plan({ existing: [others, issue(3, LEGACY)], target: at("security-findings") });
    expect(p.actions).toEqual([]);
    expect(plan({ findings: [A], existing: [others], target: at("security-findings") }).actions).toMatchObject([{ kind: "create", title: "Root account has active access keys: aws_iam_access_key.root in main.tf" }]);
  });

  it("the title's source name is neutralised like any repository text", () => {
    const p = plan({ findings: [A], source: { id: 9, fullName: "octo-org/fix-#12" } });
    expect((p.actions[0] as { title: string }).title).toContain("[octo-org/fix-#\u200D12]");
  });
});
