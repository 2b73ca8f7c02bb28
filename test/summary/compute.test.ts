import { describe, expect, it } from "vitest";
import { computeSummary } from "../../src/summary/compute.js";
import { renderSummary } from "../../src/summary/render.js";
import { auditOfEveryKind, HIGH_RULE, issuesInEveryState, MEDIUM_RULE, NOW, record } from "./fixtures.js";

describe("computeSummary, figure by figure", () => {
  const n = computeSummary({ now: NOW, issues: issuesInEveryState(), audit: auditOfEveryKind() });

  it("names the ISO week and the 7-day window ending now", () => {
    expect(n.week).toBe("2026-W48");
    expect(n.period).toEqual({ kind: "last-7-days", start: "2026-11-16T08:00:00.000Z", end: "2026-11-23T08:00:00.000Z" });
    expect(n.auditKnown).toBe(true);
  });

  it("counts open findings by severity and by rule (#1, #2, #5 open with meta, #7 without)", () => {
    expect(n.open.total).toBe(4);
    expect(n.open.bySeverity).toEqual({ HIGH: 2, MEDIUM: 1, UNKNOWN: 1 });
    expect(n.open.byRule).toEqual([
      { ruleId: HIGH_RULE, severity: "HIGH", open: 2 },
      { ruleId: MEDIUM_RULE, severity: "MEDIUM", open: 1 },
      { ruleId: "unknown", severity: "UNKNOWN", open: 1 },
    ]);
  });

  it("counts compliant repositories out of scanned: only clean and steady qualify", () => {
    // scanned or unchanged: api, web, clean, steady, pending, noissues
    expect(n.compliance.scanned).toBe(6);
    expect(n.compliance.compliant).toBe(2);
    expect(n.compliance.percent).toBeCloseTo(33.333, 2);
    const compliant = Object.fromEntries(n.repositories.map((r) => [r.repo, r.compliant]));
    expect(compliant).toEqual({
      "acme/api": false,
      "acme/web": false,
      "acme/clean": true,
      "acme/steady": true,
      "acme/pending": false,
      "acme/noissues": false,
      "acme/broken": null,
      "acme/old": null,
    });
  });

  it("counts new, fixed and accepted-risk in the last 7 days", () => {
    // new: #2 (11-20) and #5 (11-22); fixed: #3 (11-21); accepted risk: #4 (11-22); #8 is a duplicate
    expect(n.thisWeek).toEqual({ new: 2, fixed: 1, acceptedRisk: 1 });
  });

  it("computes mean time to fix from issues closed as completed", () => {
    // #3: 20 days; #6: 10 days
    expect(n.meanTimeToFix.allTime).toEqual({ days: 15, count: 2 });
    expect(n.meanTimeToFix.thisWeek).toEqual({ days: 20, count: 1 });
  });

  it("lists the oldest open findings first, with their age at `now`", () => {
    expect(n.oldestOpen.map((f) => [f.repo, f.number, f.ageDays, f.severity])).toEqual([
      ["acme/api", 1, 53, "HIGH"],
      ["acme/web", 7, 13, "UNKNOWN"],
      ["acme/api", 2, 2, "MEDIUM"],
      ["acme/web", 5, 0, "HIGH"],
    ]);
    expect(n.oldestOpen[0]).toMatchObject({ file: "iam/root.tf", resource: "aws_iam_access_key.root", url: "https://github.com/acme/api/issues/1" });
  });

  it("builds the per-repository table, most open findings first", () => {
    expect(n.repositories.map((r) => r.repo)).toEqual([
      "acme/api", "acme/web", "acme/broken", "acme/noissues", "acme/old", "acme/pending", "acme/clean", "acme/steady",
    ]);
    expect(n.repositories[0]).toEqual({
      repo: "acme/api", status: "scanned", open: 2, openBySeverity: { HIGH: 1, MEDIUM: 1 },
      fixedThisWeek: 1, acceptedRisk: 1, compliant: false, issuesDisabled: false,
    });
    expect(n.repositories[1]).toMatchObject({ repo: "acme/web", status: "unchanged", open: 2, openBySeverity: { HIGH: 1, UNKNOWN: 1 }, fixedThisWeek: 0 });
  });

  it("lists repositories that could not be scanned, failures first, with the reason", () => {
    expect(n.unscanned).toEqual([
      { repo: "acme/broken", status: "failed", reason: "clone timed out after 120 s" },
      { repo: "acme/noissues", status: "issues-disabled", reason: "issues are disabled; 1 finding(s) could not be filed" },
      { repo: "acme/old", status: "skipped", reason: "archived" },
    ]);
  });

  it("reconstructs the 12-week trend of open findings from created and closed dates", () => {
    expect(n.trend.map((p) => p.week)).toEqual([
      "2026-W37", "2026-W38", "2026-W39", "2026-W40", "2026-W41", "2026-W42",
      "2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48",
    ]);
    // #4 from 09-01; #1 from 10-01; #8 10-05..10-20; #3 11-01..11-21; #7 from 11-10;
    // W47 ends 11-22 23:59: #3 and #4 closed, #2 and #5 opened.
    expect(n.trend.map((p) => p.open)).toEqual([1, 1, 1, 2, 3, 3, 2, 3, 3, 4, 4, 4]);
    expect(n.trend[0]!.at).toBe("2026-09-13T23:59:59.999Z");
    expect(n.trend[11]!.at).toBe(NOW.toISOString());
    expect(n.trend[11]!.open).toBe(n.open.total);
  });
});

describe("computeSummary, edge cases", () => {
  it("without audit records, compliance is unknown but the findings are complete", () => {
    const n = computeSummary({ now: NOW, issues: issuesInEveryState() });
    expect(n.auditKnown).toBe(false);
    expect(n.compliance).toEqual({ scanned: 0, compliant: 0, percent: null });
    expect(n.open.total).toBe(4);
    expect(n.repositories.every((r) => r.status === "not-audited" && r.compliant === null)).toBe(true);
  });

  it("reports repositories whose issues could not be listed", () => {
    const n = computeSummary({
      now: NOW,
      issues: [],
      audit: [{ repo: "acme/a", status: "scanned", findings: 0 }],
      issueErrors: [
        { repo: "acme/a", status: 410, message: "issues are disabled in this repository" },
        { repo: "acme/b", status: 500, message: "Server Error" },
      ],
    });
    expect(n.unscanned).toEqual([
      { repo: "acme/b", status: "issues-unreadable", reason: "its issues could not be read: Server Error" },
      { repo: "acme/a", status: "issues-disabled", reason: "issues are disabled in this repository" },
    ]);
    // issues disabled but the audit found nothing: still compliant
    expect(n.repositories.find((r) => r.repo === "acme/a")?.compliant).toBe(true);
  });

  it("does not call a repository compliant when neither issues nor the audit can say so", () => {
    const n = computeSummary({
      now: NOW,
      issues: [],
      audit: [{ repo: "acme/u", status: "unchanged" }, { repo: "acme/v", status: "unchanged" }],
      issueErrors: [{ repo: "acme/u", status: 502, message: "Bad Gateway" }],
    });
    expect(n.repositories.map((r) => [r.repo, r.compliant])).toEqual([["acme/u", false], ["acme/v", true]]);
    expect(n.compliance).toEqual({ scanned: 2, compliant: 1, percent: 50 });
  });

  it("matches repositories case-insensitively between audit and issues", () => {
    const n = computeSummary({
      now: NOW,
      issues: [record("Acme/API", 1, { createdAt: "2026-11-01T00:00:00Z" })],
      audit: [{ repo: "acme/api", status: "scanned", findings: 1 }],
    });
    expect(n.repositories).toHaveLength(1);
    expect(n.repositories[0]).toMatchObject({ status: "scanned", open: 1, compliant: false });
  });

  it("keeps only the 10 oldest open findings", () => {
    const issues = Array.from({ length: 25 }, (_, i) =>
      record("acme/many", i + 1, { createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() }),
    );
    const n = computeSummary({ now: NOW, issues });
    expect(n.oldestOpen.map((f) => f.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(n.open.total).toBe(25);
  });

  it("walks the trend across a year with 53 ISO weeks", () => {
    const n = computeSummary({
      now: new Date("2027-01-06T08:00:00Z"),
      issues: [record("acme/a", 1, { createdAt: "2026-12-30T00:00:00Z", state: "closed", stateReason: "completed", closedAt: "2027-01-05T00:00:00Z" })],
    });
    expect(n.week).toBe("2027-W01");
    expect(n.trend.slice(-3).map((p) => [p.week, p.open])).toEqual([["2026-W52", 0], ["2026-W53", 1], ["2027-W01", 0]]);
    expect(n.trend[0]!.week).toBe("2026-W43");
  });

  it("can count this week as the ISO week so far instead", () => {
    const tuesday = new Date("2026-11-24T12:00:00Z");
    const issues = [
      record("acme/a", 1, { createdAt: "2026-11-23T00:00:00Z" }), // Monday 00:00: this ISO week
      record("acme/a", 2, { createdAt: "2026-11-22T23:59:59Z" }), // Sunday: last ISO week
      record("acme/a", 3, { createdAt: "2026-11-01T00:00:00Z", state: "closed", stateReason: "completed", closedAt: "2026-11-24T00:00:00Z" }),
    ];
    const n = computeSummary({ now: tuesday, issues, period: "iso-week-to-date" });
    expect(n.period).toEqual({ kind: "iso-week-to-date", start: "2026-11-23T00:00:00.000Z", end: "2026-11-24T12:00:00.000Z" });
    expect(n.thisWeek).toEqual({ new: 1, fixed: 1, acceptedRisk: 0 });
    // the default window reaches back to the previous Tuesday noon and counts both
    expect(computeSummary({ now: tuesday, issues }).thisWeek.new).toBe(2);
    expect(renderSummary(n).body).toContain('"This week" is this week: 2026-11-23 00:00 UTC to 2026-11-24 12:00 UTC.');
  });

  it("refuses an invalid clock", () => {
    expect(() => computeSummary({ now: new Date("nope"), issues: [] })).toThrow(/now/);
  });
});
