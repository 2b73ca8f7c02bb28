/**
 * The weekly summary's Controls table, figure by figure, from the fixtures every summary test uses
 * (fixtures.ts: which repository was scanned, which issues are open). Worked by hand below.
 */
import { describe, expect, it } from "vitest";
import { computeSummary } from "../../src/summary/compute.js";
import { renderSummary } from "../../src/summary/render.js";
import { rules as registry } from "../../src/rules/index.js";
import { CIS_AWS_ROOT_ACCESS_KEY, FSBP_IAM_4 } from "../../src/rules/controls.js";
import type { Control, RuleMeta } from "../../src/rules/types.js";
import { auditOfEveryKind, HIGH_RULE, issuesInEveryState, meta, MEDIUM_RULE, NOW, record } from "./fixtures.js";

const X: Control = { framework: "Framework X", id: "X.1", title: "Only the HIGH rule evidences it", url: "https://example.org/x" };
const Y: Control = { framework: "Framework Y", id: "Y.1", title: "Only the MEDIUM rule evidences it", url: "https://example.org/y" };

/** The registry's two rules, with X on the HIGH rule only and Y on the MEDIUM rule only. */
function splitRules(): { meta: RuleMeta }[] {
  return registry.map((r) => ({ meta: { ...r.meta, controls: r.meta.id === HIGH_RULE ? [X] : [Y] } }));
}

function figures(rows: ReturnType<typeof computeSummary>["controls"]): Record<string, [number, number, number]> {
  return Object.fromEntries((rows ?? []).map((r) => [`${r.control.framework} ${r.control.id}`, [r.passing, r.failing, r.open]]));
}

describe("Controls table", () => {
  it("both registered rules evidence both controls: failing = the scanned repositories that are not compliant", () => {
    // Scanned or unchanged: api, web, clean, steady, pending, noissues (broken failed, old skipped).
    // api (#1 HIGH, #2 MEDIUM open) and web (#5 HIGH, #7 without a marker) fail by their issues;
    // pending (2 findings not filed yet) and noissues (issues disabled, 1 finding) fail by the
    // audit's count: whatever their findings are, both rules break both controls. clean and steady pass.
    // Open: #1, #2, #5 and #7 (its rule unknown, but every rule breaks the control).
    const n = computeSummary({ now: NOW, issues: issuesInEveryState(), audit: auditOfEveryKind() });
    expect(figures(n.controls)).toEqual({
      "CIS AWS Foundations Benchmark 1.4": [2, 4, 4],
      "AWS Foundational Security Best Practices (AWS Security Hub) IAM.4": [2, 4, 4],
    });
    expect(n.controls!.map((r) => r.control)).toEqual([CIS_AWS_ROOT_ACCESS_KEY, FSBP_IAM_4]);
    expect(n.controls![0]!.ruleIds).toEqual([HIGH_RULE, MEDIUM_RULE]);
    expect(n.controls![0]!.passing + n.controls![0]!.failing).toBe(n.compliance.scanned);
    expect(n.controls![0]!.passing).toBe(n.compliance.compliant);
  });

  it("a control one rule evidences fails only where that rule's findings are open", () => {
    // X (HIGH rule): api (#1) and web (#5) fail; pending and noissues cannot be told (no issue names
    // a rule) and the MEDIUM rule does not break X, so they pass, with clean and steady. Open: #1, #5.
    // Y (MEDIUM rule): api (#2) fails; web's open issues are #5 (HIGH) and #7 (rule unknown, and not
    // every rule breaks Y): it passes. Open: #2.
    const n = computeSummary({ now: NOW, issues: issuesInEveryState(), audit: auditOfEveryKind(), rules: splitRules() });
    expect(figures(n.controls)).toEqual({ "Framework X X.1": [4, 2, 2], "Framework Y Y.1": [5, 1, 1] });
  });

  it("counts closed issues (fixed, accepted risk) nowhere, and matches repositories case-insensitively", () => {
    const issues = [
      record("Acme/API", 1, { createdAt: "2026-11-01T00:00:00Z" }, meta("c1")),
      record("acme/web", 2, { createdAt: "2026-11-01T00:00:00Z", state: "closed", stateReason: "completed", closedAt: "2026-11-02T00:00:00Z" }, meta("c2")),
      record("acme/web", 3, { createdAt: "2026-11-01T00:00:00Z", state: "closed", stateReason: "not_planned", closedAt: "2026-11-02T00:00:00Z" }, meta("c3")),
      // In a repository the audit did not scan: open, counted as open, but no repository fails by it.
      record("acme/broken", 4, { createdAt: "2026-11-01T00:00:00Z" }, meta("c4")),
    ];
    const audit = [
      { repo: "acme/api", status: "scanned" as const, findings: 1 },
      { repo: "acme/web", status: "unchanged" as const },
      { repo: "acme/broken", status: "failed" as const, reason: "clone timed out" },
    ];
    const n = computeSummary({ now: NOW, issues, audit });
    expect(figures(n.controls)["CIS AWS Foundations Benchmark 1.4"]).toEqual([1, 1, 2]);
  });

  it("renders one row per control with its link, and 'unknown' repositories before any audit", () => {
    const body = renderSummary(computeSummary({ now: NOW, issues: issuesInEveryState(), audit: auditOfEveryKind() })).body;
    expect(body).toContain("| Control | Passing repositories | Failing repositories | Open findings |");
    expect(body).toContain(
      "| [CIS AWS Foundations Benchmark 1\\.4](https://www.cisecurity.org/benchmark/amazon_web_services): Ensure no 'root' user account access key exists (v1\\.4\\.0 through v3\\.0\\.0; numbered 1\\.12 in v1\\.2\\.0) | 2 | 4 | 4 |",
    );
    expect(body).toContain(
      "| [AWS Foundational Security Best Practices \\(AWS Security Hub\\) IAM\\.4](https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4): IAM root user access key should not exist | 2 | 4 | 4 |",
    );
    const noAudit = renderSummary(computeSummary({ now: NOW, issues: issuesInEveryState() })).body;
    expect(noAudit).toMatch(/IAM root user access key should not exist \| unknown \| unknown \| 4 \|/);
    expect(noAudit).toContain("_Passing and failing are known after the first nightly audit._");
  });
});
