import { describe, expect, it } from "vitest";
import { computeSummary } from "../../src/summary/compute.js";
import { renderSummary } from "../../src/summary/render.js";
import { meta, record } from "./fixtures.js";

const NOW = new Date("2026-11-23T08:00:00Z");

describe("overdue findings (SLA due dates in the meta markers)", () => {
  const issues = [
    record("acme/api", 1, { createdAt: "2026-11-01T00:00:00Z" }, meta("f0000001", { due: "2026-11-08" })), // 15 days overdue
    record("acme/api", 2, { createdAt: "2026-11-20T00:00:00Z" }, meta("f0000002", { due: "2026-11-27" })), // not yet due
    record("acme/web", 3, { createdAt: "2026-10-01T00:00:00Z" }, meta("f0000003", { due: "2026-11-21", severity: "MEDIUM", file: "web.tf" })), // 1 day
    record("acme/web", 4, { createdAt: "2026-10-01T00:00:00Z" }, meta("f0000004", { due: "2026-11-22" })), // due yesterday: overdue from today 00:00
    record("acme/web", 5, { createdAt: "2026-10-01T00:00:00Z", state: "closed", stateReason: "completed", closedAt: "2026-11-02T00:00:00Z" }, meta("f0000005", { due: "2026-10-08" })),
    record("acme/web", 6, { createdAt: "2026-10-01T00:00:00Z" }, meta("f0000006")), // no SLA
  ];

  it("lists open findings past their due date, most overdue first, with the days", () => {
    const n = computeSummary({ now: NOW, issues });
    expect(n.overdue.total).toBe(3);
    expect(n.overdue.findings.map((f) => [f.repo, f.number, f.due, f.overdueDays, f.severity])).toEqual([
      ["acme/api", 1, "2026-11-08", 14, "HIGH"],
      ["acme/web", 3, "2026-11-21", 1, "MEDIUM"],
      ["acme/web", 4, "2026-11-22", 0, "HIGH"],
    ]);
  });

  it("renders the overdue table before every other list of findings, figure by figure", () => {
    const { body } = renderSummary(computeSummary({ now: NOW, issues }));
    expect(body).toContain("| Overdue (past the SLA due date) | **3** |");
    const overdueAt = body.indexOf("### Overdue findings");
    expect(overdueAt).toBeGreaterThan(0);
    for (const later of ["### Trend", "### Open findings by severity", "### Oldest open findings"]) expect(body.indexOf(later)).toBeGreaterThan(overdueAt);
    const rows = body.slice(overdueAt).split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Overdue by") && !l.startsWith("| ---")).slice(0, 3);
    expect(rows[0]).toMatch(/^\| 14 days \| 2026-11-08 \| HIGH \| acme\/api \| \[#1\]\(https:\/\/github\.com\/acme\/api\/issues\/1\) \| `main\.tf` \|/);
    expect(rows[1]).toMatch(/^\| 1 day \| 2026-11-21 \| MEDIUM \| acme\/web \| \[#3\]/);
    expect(rows[2]).toMatch(/^\| less than a day \| 2026-11-22 \| HIGH \| acme\/web \| \[#4\]/);
  });

  it("shows no overdue section when nothing is overdue", () => {
    const { body } = renderSummary(computeSummary({ now: NOW, issues: [issues[1]!] }));
    expect(body).not.toContain("Overdue");
  });
});

describe("exceptions in code (suppressed findings' issues)", () => {
  const accepted = { createdAt: "2026-10-01T00:00:00Z", state: "closed" as const, stateReason: "not_planned", closedAt: "2026-10-02T00:00:00Z" };
  const issues = [
    record("acme/api", 10, accepted, meta("e0000010", { exceptionExpires: "2026-11-30" })), // in 7 days (minus 8 h)
    record("acme/api", 11, accepted, meta("e0000011", { exceptionExpires: "2026-12-07" })), // 14 days minus 8 h: in
    record("acme/api", 12, accepted, meta("e0000012", { exceptionExpires: "2026-12-08" })), // beyond 14 days
    record("acme/api", 13, accepted, meta("e0000013", { exceptionExpires: "2026-11-23" })), // already ended
    record("acme/web", 14, accepted, meta("e0000014", { exceptionReasonMissing: true })),
    record("acme/web", 15, accepted, meta("e0000015", { exceptionReasonMissing: true, exceptionExpires: "2026-12-01" })),
    record("acme/web", 16, accepted, meta("e0000016")), // accepted by a person: no exception facts
  ];

  it("lists those expiring in the next 14 days, by an injected clock", () => {
    const n = computeSummary({ now: NOW, issues });
    expect(n.exceptions.expiringSoon.map((e) => [e.number, e.expires, e.daysLeft])).toEqual([
      [10, "2026-11-30", 7],
      [15, "2026-12-01", 8],
      [11, "2026-12-07", 14],
    ]);
    // A week later the first two have ended and the third comes into the window.
    const later = computeSummary({ now: new Date("2026-11-30T08:00:00Z"), issues });
    expect(later.exceptions.expiringSoon.map((e) => e.number)).toEqual([15, 11, 12]);
  });

  it("lists the exceptions without a reason, and renders both lists", () => {
    const n = computeSummary({ now: NOW, issues });
    expect(n.exceptions.withoutReason.map((e) => [e.repo, e.number, e.expires ?? null])).toEqual([
      ["acme/web", 14, null],
      ["acme/web", 15, "2026-12-01"],
    ]);
    const { body } = renderSummary(n);
    expect(body).toContain("### Exceptions in code");
    expect(body).toContain("Expiring in the next 14 days");
    expect(body).toMatch(/^\| 2026-11-30 \| 7 days \| HIGH \| acme\/api \| \[#10\]/m);
    expect(body).toContain("Without a reason");
    expect(body).toMatch(/^\| HIGH \| acme\/web \| \[#14\]\(https:\/\/github\.com\/acme\/web\/issues\/14\) \| `main\.tf` \| `aws_iam_access_key\.root` \| never \|$/m);
  });
});
