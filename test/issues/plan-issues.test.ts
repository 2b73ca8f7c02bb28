import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, parseConfig, type KeywardenConfig } from "../../src/config/repo-config.js";
import { planIssues, type ExistingIssue, type PlanInput } from "../../src/issues/plan-issues.js";
import { renderIssueBody, renderIssueTitle, type IssueTarget } from "../../src/issues/render-issue.js";
import { finding, KEY_EXPOSED, SHA1, SHA2, suppressed } from "../github/issue-fixtures.js";

const TARGET: IssueTarget = { serverUrl: "https://github.com", owner: "octo-org", repo: "infra", commitSha: SHA2 };
const A = finding({ fingerprint: "aaaa0000aaaa0000" });
const B = finding({ fingerprint: "bbbb0000bbbb0000", ruleId: KEY_EXPOSED, file: "envs/dev/iam.tf", line: 2 });

function config(overrides: Record<string, unknown> = {}): KeywardenConfig {
  return parseConfig(overrides).config;
}

function existing(f: typeof A, state: ExistingIssue["state"], stateReason: ExistingIssue["stateReason"], number: number, commit = SHA2): ExistingIssue {
  return {
    number,
    state,
    stateReason,
    title: renderIssueTitle(f),
    body: renderIssueBody(f, { ...TARGET, commitSha: commit }),
    labels: ["keywarden"],
    fingerprint: f.fingerprint,
    meta: { fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, file: f.file, resource: f.resource },
  };
}

function plan(input: Partial<PlanInput>) {
  return planIssues({ findings: [], suppressed: [], existing: [], config: config(), target: TARGET, scannedCommit: SHA2, ...input });
}

describe("planIssues", () => {
  it("with no finding and no suppressed finding, touches no closed issue whatever its state reason (the scan may skip the listing)", () => {
    const closed = (["completed", "not_planned", "reopened", "duplicate", null] as const).map((reason, i) => existing(i % 2 ? A : B, "closed", reason, i + 1));
    expect(plan({ existing: closed }).actions).toEqual([]);
  });

  it("creates one issue per new finding, most severe first, with labels and assignees", () => {
    const p = plan({ findings: [B, A], config: config({ assignees: ["octocat"] }) });
    expect(p.actions.map((a) => [a.kind, a.fingerprint])).toEqual([
      ["create", A.fingerprint],
      ["create", B.fingerprint],
    ]);
    const [first, second] = p.actions;
    expect(first).toMatchObject({ labels: ["keywarden", "severity:high"], assignees: ["octocat"], title: renderIssueTitle(A), body: renderIssueBody(A, TARGET) });
    expect(second).toMatchObject({ labels: ["keywarden", "severity:medium"] });
    expect(p.labels.map((l) => l.name)).toEqual(["keywarden", "severity:high", "severity:medium"]);
    expect(p.labels.every((l) => /^[0-9a-f]{6}$/.test(l.color) && l.description.length > 0 && l.description.length <= 100)).toBe(true);
    expect(p.deferred).toBe(0);
  });

  it("changes nothing when the open issue already says the same (even at a newer commit)", () => {
    const same = plan({ findings: [A], existing: [existing(A, "open", null, 7)] });
    expect(same.actions).toEqual([]);
    expect(same.unchanged).toBe(1);
    // Scanned again at a later commit that did not touch the file: the old permalink still holds.
    const later = plan({ findings: [A], existing: [existing(A, "open", null, 7, SHA1)] });
    expect(later.actions).toEqual([]);
  });

  it("edits the body, without a comment, when the finding moved", () => {
    const moved = { ...A, line: 9, block: { startLine: 7, endLine: 10 } };
    const p = plan({ findings: [moved], existing: [existing(A, "open", null, 7, SHA1)] });
    expect(p.actions).toEqual([{ kind: "update", fingerprint: A.fingerprint, issueNumber: 7, body: renderIssueBody(moved, TARGET) }]);
  });

  it("closes a fixed finding's issue as completed, citing the fixing commit", () => {
    const p = plan({ existing: [existing(A, "open", null, 7)] });
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ kind: "close", issueNumber: 7, reason: "completed" });
    expect((p.actions[0] as { comment: string }).comment).toContain(`https://github.com/octo-org/infra/commit/${SHA2}`);
  });

  it("does not close an issue whose file could not be read or parsed this time", () => {
    const p = plan({ findings: [], existing: [existing(A, "open", null, 7), existing(B, "open", null, 8)], unreadableFiles: [A.file] });
    expect(p.actions.map((a) => [a.kind, a.issueNumber])).toEqual([["close", 8]]);
  });

  it("reopens on regression after a close as completed, and leaves not planned alone", () => {
    const p = plan({ findings: [A, B], existing: [existing(A, "closed", "completed", 7), existing(B, "closed", "not_planned", 8)] });
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ kind: "reopen", issueNumber: 7, body: renderIssueBody(A, TARGET) });
    expect((p.actions[0] as { comment: string }).comment).toContain(SHA2);
    expect(p.unchanged).toBe(1);
  });

  it("reopens, once, an issue closed as not planned when the finding's exception expired, saying so", () => {
    const expired = { ...A, exceptionExpired: "2026-11-30", message: `${A.message} Its exception (# keywarden:ignore x, line 1) expired on 2026-11-30.` };
    // Closed as not planned by the suppression (the body is the one rendered before the expiry).
    const p = plan({ findings: [expired], existing: [existing(A, "closed", "not_planned", 7)] });
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ kind: "reopen", issueNumber: 7, body: renderIssueBody(expired, TARGET) });
    const comment = (p.actions[0] as { comment: string }).comment;
    expect(comment).toMatch(/^Reopening: the exception in code for this finding expired on `2026-11-30`, and Keywarden finds this again at commit /);
    // A person closed it as not planned again after that reopen (its body says it expired): it stays closed.
    const again = plan({ findings: [expired], existing: [existing(expired, "closed", "not_planned", 7)] });
    expect(again.actions).toEqual([]);
    expect(again.unchanged).toBe(1);
    // Closed as completed (the suppression was removed, then the exception came back and expired): reopened, saying why.
    const completed = plan({ findings: [expired], existing: [existing(A, "closed", "completed", 7)] });
    expect((completed.actions[0] as { comment: string }).comment).toContain("expired on `2026-11-30`");
    // A duplicate stays a duplicate.
    expect(plan({ findings: [expired], existing: [existing(A, "closed", "duplicate", 7)] }).actions).toEqual([]);
  });

  it("closes a finding suppressed in code as not planned, citing the comment; a closed one stays closed", () => {
    const p = plan({ suppressed: [suppressed(A), suppressed(B)], existing: [existing(A, "open", null, 7), existing(B, "closed", "completed", 8)] });
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ kind: "close", issueNumber: 7, reason: "not_planned" });
    const comment = (p.actions[0] as { comment: string }).comment;
    expect(comment).toContain(`keywarden:ignore ${A.ruleId}`);
    expect(comment).toContain("break\\-glass key, reviewed");
  });

  it("does not file findings below minSeverity, of disabled rules or in ignored paths, nor close their issues", () => {
    const p = plan({
      findings: [A, B, finding({ fingerprint: "cccc0000cccc0000", file: "examples/main.tf" })],
      existing: [existing(B, "open", null, 9)],
      config: config({ minSeverity: "high", rules: [A.ruleId], ignorePaths: ["examples/**"] }),
    });
    expect(p.actions.map((a) => [a.kind, a.fingerprint])).toEqual([["create", A.fingerprint]]);
    const gone = plan({ existing: [existing(B, "open", null, 9)], config: config({ rules: [A.ruleId] }) });
    expect(gone.actions).toEqual([]);
  });

  it("caps new issues per run, most severe first, and counts the rest as deferred", () => {
    const many = Array.from({ length: 5 }, (_, i) => finding({ fingerprint: `dddd000${i}dddd0000`, ruleId: i % 2 ? KEY_EXPOSED : A.ruleId, file: `m${i}.tf` }));
    const p = plan({ findings: many, config: { ...DEFAULT_CONFIG, maxNewIssuesPerRun: 2 } });
    expect(p.actions.map((a) => a.fingerprint)).toEqual([many[0]!.fingerprint, many[2]!.fingerprint]);
    expect(p.deferred).toBe(3);
  });

  it("is deterministic whatever the input order, and uses one issue per fingerprint", () => {
    const dup = { ...existing(A, "open", null, 12), body: "edited by hand <!-- keywarden:fingerprint=aaaa0000aaaa0000 -->" };
    const input = { findings: [B, A, A], existing: [dup, existing(A, "open", null, 7)] };
    const one = plan(input);
    const two = plan({ findings: [A, B], existing: [existing(A, "open", null, 7), dup] });
    expect(one).toEqual(two);
    expect(one.actions.map((a) => a.kind)).toEqual(["create"]); // A's primary issue is #7, unchanged
  });
});
