import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/repo-config.js";
import { readMeta } from "../../src/issues/marker.js";
import { dueDate, planIssues, type ExistingIssue, type PlanInput } from "../../src/issues/plan-issues.js";
import { renderIssueBody, renderIssueTitle, type IssueTarget } from "../../src/issues/render-issue.js";
import { finding, SHA2, suppressed } from "../github/issue-fixtures.js";

const TARGET: IssueTarget = { serverUrl: "https://github.com", owner: "octo-org", repo: "infra", commitSha: SHA2 };
const A = finding({ fingerprint: "aaaa0000aaaa0000" }); // HIGH, envs/prod/iam.tf
const NOW = new Date("2026-12-02T03:00:00Z");
const CODEOWNERS = "* @octo-org/platform\n/envs/prod/ @alice @octo-org/security @bob sec@example.com\n/envs/dev/\n";

function plan(raw: Record<string, unknown>, input: Partial<PlanInput> = {}) {
  return planIssues({ findings: [], suppressed: [], existing: [], config: parseConfig(raw).config, target: TARGET, scannedCommit: SHA2, now: NOW, ...input });
}
function create(p: ReturnType<typeof plan>) {
  const a = p.actions[0];
  if (a?.kind !== "create") throw new Error(`expected a create, got ${a?.kind}`);
  return a;
}

describe("owners from CODEOWNERS", () => {
  it("assigns the file's @user owners; teams are named in the body as plain text; emails ignored", () => {
    const c = create(plan({ assignees: ["codeowners", "oncall"] }, { findings: [A], codeowners: CODEOWNERS }));
    expect(c.assignees).toEqual(["alice", "bob"]);
    // Markdown-escaped by the neutraliser (`octo\-org`): compare the text as GitHub shows it.
    expect(c.body.replace(/\\/g, "")).toContain("**Owning teams (CODEOWNERS):** octo-org/security");
    expect(c.body).not.toMatch(/@octo-org/);
    expect(c.body).not.toContain("sec@example.com");
  });

  it("falls back to the configured assignees when no user owns the file (team only, un-owned, no file)", () => {
    const teamOnly = create(plan({ assignees: ["codeowners", "oncall"] }, { findings: [finding({ fingerprint: "bbbb0000bbbb0000", file: "other/x.tf" })], codeowners: CODEOWNERS }));
    expect(teamOnly.assignees).toEqual(["oncall"]);
    expect(teamOnly.body.replace(/\\/g, "")).toContain("octo-org/platform");
    const unowned = create(plan({ assignees: ["codeowners", "oncall"] }, { findings: [finding({ fingerprint: "cccc0000cccc0000", file: "envs/dev/x.tf" })], codeowners: CODEOWNERS }));
    expect(unowned.assignees).toEqual(["oncall"]);
    expect(unowned.body).not.toContain("Owning teams");
    expect(create(plan({ assignees: ["codeowners", "oncall"] }, { findings: [A] })).assignees).toEqual(["oncall"]);
  });

  it("ignores CODEOWNERS unless `assignees: codeowners`", () => {
    const c = create(plan({ assignees: ["oncall"] }, { findings: [A], codeowners: CODEOWNERS }));
    expect(c.assignees).toEqual(["oncall"]);
    expect(c.body).not.toContain("Owning teams");
  });
});

describe("SLA due dates", () => {
  it("a new issue is due `days` after the scan date, in the body and its meta marker", () => {
    const c = create(plan({ sla: { high: 7, medium: 30 } }, { findings: [A] }));
    expect(c.body).toContain("**Due:** `2026-12-09` (SLA: 7 days)");
    expect(readMeta(c.body)?.due).toBe("2026-12-09");
  });

  it("an existing issue is due `days` after its creation; a severity without an SLA has no due date", () => {
    const issue: ExistingIssue = {
      number: 4,
      state: "open",
      stateReason: null,
      title: renderIssueTitle(A),
      body: renderIssueBody(A, TARGET),
      labels: [],
      fingerprint: A.fingerprint,
      createdAt: "2026-11-01T10:00:00Z",
    };
    const p = plan({ sla: { high: 7 } }, { findings: [A], existing: [issue] });
    expect(p.actions).toMatchObject([{ kind: "update", issueNumber: 4 }]);
    expect(readMeta((p.actions[0] as { body: string }).body)?.due).toBe("2026-11-08");
    expect(readMeta(create(plan({ sla: { medium: 30 } }, { findings: [A] })).body)?.due).toBeUndefined();
    expect(dueDate("not a date", 7)).toBeUndefined();
  });
});

describe("a suppressed finding's issue records its exception", () => {
  it("the close rewrites the body with the exception's expiry and missing reason in the meta marker", () => {
    const s = suppressed(A, "");
    s.suppression = { ...s.suppression, reasonMissing: true, expires: "2026-12-10" };
    const issue: ExistingIssue = { number: 9, state: "open", stateReason: null, title: "t", body: renderIssueBody(A, TARGET), labels: [], fingerprint: A.fingerprint };
    const p = plan({}, { suppressed: [s], existing: [issue] });
    expect(p.actions).toMatchObject([{ kind: "close", reason: "not_planned", issueNumber: 9 }]);
    const meta = readMeta((p.actions[0] as { body?: string }).body);
    expect(meta).toMatchObject({ exceptionExpires: "2026-12-10", exceptionReasonMissing: true });
  });

  it("an issue already closed as not planned is edited once when its exception's facts change, then left alone", () => {
    const s = suppressed(A);
    s.suppression = { ...s.suppression, expires: "2026-12-10" };
    const closed: ExistingIssue = { number: 9, state: "closed", stateReason: "not_planned", title: "t", body: renderIssueBody(A, TARGET), labels: [], fingerprint: A.fingerprint };
    const p = plan({}, { suppressed: [s], existing: [closed] });
    expect(p.actions).toMatchObject([{ kind: "update", issueNumber: 9 }]);
    const body = (p.actions[0] as { body: string }).body;
    expect(readMeta(body)?.exceptionExpires).toBe("2026-12-10");
    expect(plan({}, { suppressed: [s], existing: [{ ...closed, body }] }).actions).toEqual([]);
    // Without exception facts nothing is written.
    expect(plan({}, { suppressed: [suppressed(A)], existing: [closed] }).actions).toEqual([]);
  });
});
