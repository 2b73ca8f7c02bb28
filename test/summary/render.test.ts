import { describe, expect, it } from "vitest";
import { computeSummary } from "../../src/summary/compute.js";
import {
  isoWeek,
  isRescanRequested,
  MAX_BODY_BYTES,
  readSummaryWeek,
  renderSummary,
  untickRescan,
} from "../../src/summary/render.js";
import { isoWeekStart } from "../../src/summary/week.js";
import type { AuditRecord, FindingIssueRecord, SummaryNumbers } from "../../src/summary/types.js";
import { auditOfEveryKind, issuesInEveryState, meta, NOW, record } from "./fixtures.js";

/** Splits a GFM table row the way cmark-gfm does: a backslash escapes the next character, `|` splits. */
function cells(row: string): string[] {
  const out: string[] = [];
  let cell = "";
  for (let i = 0; i < row.length; i++) {
    const c = row[i]!;
    if (c === "\\" && i + 1 < row.length) {
      cell += c + row[++i];
    } else if (c === "|") {
      out.push(cell);
      cell = "";
    } else cell += c;
  }
  out.push(cell);
  return out.slice(1, -1); // leading and trailing pipes
}

/** Every table in the body: rows of the same table have as many cells as its header. */
function tables(body: string): string[][] {
  const found: string[][] = [];
  let current: string[] | undefined;
  for (const line of body.split("\n")) {
    if (line.startsWith("|")) (current ??= []).push(line);
    else if (current) {
      found.push(current);
      current = undefined;
    }
  }
  return found;
}

/** The text outside code spans (where GitHub would turn @name into a mention). */
function outsideCode(line: string): string {
  return line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, "");
}

const standard = () => computeSummary({ now: NOW, issues: issuesInEveryState(), audit: auditOfEveryKind() });

describe("renderSummary", () => {
  it("titles the issue with the ISO week and carries the hidden summary marker", () => {
    const { title, body } = renderSummary(standard());
    expect(title).toBe("Keywarden compliance summary — 2026-W48");
    expect(body.startsWith("<!-- keywarden:summary week=2026-W48 -->\n")).toBe(true);
    expect(readSummaryWeek(body)).toBe("2026-W48");
  });

  it("shows every figure of the summary", () => {
    const { body } = renderSummary(standard());
    expect(body).toContain('"This week" is the last 7 days: 2026-11-16 08:00 UTC to 2026-11-23 08:00 UTC.');
    expect(body).toContain("| Open findings | **4** (HIGH 2, MEDIUM 1, UNKNOWN 1) |");
    expect(body).toContain("| Compliant repositories | **2 of 6** scanned (33.3%) |");
    expect(body).toContain("| New this week | 2 |");
    expect(body).toContain("| Fixed this week | 1 |");
    expect(body).toContain("| Accepted risk this week | 1 |");
    expect(body).toContain("| Mean time to fix, all time | 15.0 days (2 fixed) |");
    expect(body).toContain("| Mean time to fix, this week | 20.0 days (1 fixed) |");
    expect(body).toContain("| 53 days | HIGH | acme/api | [#1](https://github.com/acme/api/issues/1) | `iam/root.tf` | `aws_iam_access_key.root` |");
    expect(body).toContain("| acme/api | scanned | 2 | 1 | 1 | 0 | 1 | 1 | ❌ |");
    expect(body).toContain("| acme/clean | scanned | 0 | 0 | 0 | 0 | 0 | 0 | ✅ |");
    expect(body).toContain("| acme/broken | failed | clone timed out after 120 s |");
    for (const heading of ["At a glance", "Trend", "Open findings by severity", "Open findings by rule", "Oldest open findings", "Repositories", "Repositories that could not be scanned"]) {
      expect(body).toContain(`\n### ${heading}\n`);
    }
  });

  it("matches the example summary kept for the README (update with `npx vitest run -u`)", async () => {
    // A reviewed, human-readable rendering of the fixture: a change to the layout shows up as a diff.
    await expect(renderSummary(standard()).body).toMatchFileSnapshot("./example-summary.md");
  });

  it("draws the 12-week trend as a Mermaid xychart-beta GitHub can render", () => {
    const { body } = renderSummary(standard());
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(body)?.[1];
    expect(block?.split("\n")).toEqual([
      "xychart-beta",
      '    title "Open findings at the end of each ISO week"',
      '    x-axis ["W37", "W38", "W39", "W40", "W41", "W42", "W43", "W44", "W45", "W46", "W47", "W48"]',
      '    y-axis "Open findings" 0 --> 5',
      "    bar [1, 1, 1, 2, 3, 3, 2, 3, 3, 4, 4, 4]",
    ]);
  });

  it("gives the y-axis a positive range even when nothing was ever open", () => {
    const { body } = renderSummary(computeSummary({ now: NOW, issues: [], audit: [] }));
    expect(body).toContain('y-axis "Open findings" 0 --> 2');
    expect(body).toContain("No open findings.");
    expect(body).toContain("None: every repository was scanned.");
  });

  it("folds long lists in <details> and leaves short ones open", () => {
    const { body } = renderSummary(standard());
    // 12 trend rows fold; 8 repositories and 3 unscanned do not
    expect(body).toContain("<details>\n<summary>Open findings per week</summary>");
    expect(body).not.toContain("<summary>8 repositories</summary>");
    const many = Array.from({ length: 30 }, (_, i): AuditRecord => ({ repo: `acme/r${i}`, status: "scanned", findings: 0 }));
    const big = renderSummary(computeSummary({ now: NOW, issues: [], audit: many })).body;
    expect(big).toContain("<details>\n<summary>30 repositories</summary>\n\n| Repository |");
    expect(big.split("<details>").length).toBe(big.split("</details>").length);
  });

  it("says compliance is unknown when no audit is on record", () => {
    const { body } = renderSummary(computeSummary({ now: NOW, issues: issuesInEveryState() }));
    expect(body).toContain("| Compliant repositories | unknown: no audit run on record yet |");
    expect(body).toContain("Scan failures are unknown until the next nightly audit.");
  });

  it("still lists repositories whose issues could not be read when no audit is on record", () => {
    const n = computeSummary({ now: NOW, issues: [], issueErrors: [{ repo: "acme/flaky", status: 502, message: "Bad Gateway" }] });
    const { body } = renderSummary(n);
    expect(body).toContain("| acme/flaky | issues-unreadable | its issues could not be read: Bad Gateway |");
    expect(body).toContain("Scan failures are unknown until the next nightly audit.");
  });

  it("neutralises repository text: no mentions, no references, no broken tables or details", () => {
    const hostile = "evil`|@octocat <!-- x --> </details> #1\n| injected | row |";
    const issues: FindingIssueRecord[] = [
      record("acme/api", 1, { createdAt: "2026-11-01T00:00:00Z" }, meta("c0000001", { file: hostile, resource: "aws_iam_access_key.`x`\\|y", ruleId: "@admins|x" })),
      record("acme/api", 2, { createdAt: "2026-11-02T00:00:00Z", url: "javascript:alert(1)" }, meta("c0000002")),
    ];
    const audit: AuditRecord[] = [{ repo: "acme/broken", status: "failed", reason: "@security-team see #12 <img src=x> | [x](http://e) </details>\n| a |" }];
    const { body } = renderSummary(computeSummary({ now: NOW, issues, audit }));
    for (const table of tables(body)) {
      const width = cells(table[0]!).length;
      for (const row of table) expect(cells(row), row).toHaveLength(width);
    }
    for (const line of body.split("\n")) {
      const text = outsideCode(line);
      expect(text, line).not.toMatch(/@[A-Za-z0-9]/);
      expect(text, line).not.toMatch(/(^|[^[])#\d/);
      // HTML only where the renderer put it: whole-line <details> tags and its own markers
      const ours = /^(<\/?details>|<summary>[^<]*<\/summary>|<!-- keywarden:summary week=\d{4}-W\d{2} -->|- \[ \] Re-scan all repositories now <!-- keywarden:rescan -->)$/;
      if (!ours.test(line)) expect(text, line).not.toMatch(/(^|[^\\])</);
      expect(line.startsWith("| injected") || line.startsWith("| a |")).toBe(false);
    }
    const lines = body.split("\n");
    expect(lines.filter((l) => l === "<details>").length).toBe(lines.filter((l) => l === "</details>").length);
    expect(body).not.toContain("javascript:");
    expect(body).toContain("| #\u200D2 |"); // no link for a non-http address, and no bare reference
  });

  it("stays under GitHub's body limit for a huge organization and says what it left out", () => {
    const repos = 20_000;
    const longName = (i: number) => `acme/${"service-with-a-rather-long-name-".repeat(3)}${i}`;
    const issues = Array.from({ length: 5_000 }, (_, i) =>
      record(longName(i), i + 1, { createdAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString() }, meta(`d${String(i).padStart(8, "0")}`, { file: `modules/${"deep/".repeat(30)}main.tf` })),
    );
    const audit: AuditRecord[] = Array.from({ length: repos }, (_, i) =>
      i % 4 === 0 ? { repo: longName(i), status: "failed", reason: `clone failed: ${"remote hung up unexpectedly; ".repeat(8)}` } : { repo: longName(i), status: "scanned", findings: i < 5_000 ? 1 : 0 },
    );
    const n: SummaryNumbers = computeSummary({ now: NOW, issues, audit });
    const { body, omitted } = renderSummary(n);
    expect(body.length).toBeLessThan(65_536);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(omitted.repositories).toBe(repos); // the table went first...
    expect(omitted.unscanned).toBeGreaterThan(0); // ...then the failure list was cut
    expect(omitted.unscanned).toBeLessThan(5_000);
    const shown = body.split("\n").filter((l) => l.includes(" | failed | clone failed")).length;
    expect(shown + omitted.unscanned).toBe(5_000);
    expect(body).toContain(`_${repos} more repositories omitted to keep this issue under GitHub's size limit._`);
    expect(body).toContain(`_${omitted.unscanned} more repositories omitted to keep this issue under GitHub's size limit._`);
    // the headline figures, the chart and the checkbox always survive
    expect(body).toContain("| Open findings | **5000** (HIGH 5000) |");
    expect(body).toContain("xychart-beta");
    expect(isRescanRequested(body.replace("- [ ]", "- [x]"))).toBe(true);
  });

  it("drops repository-table rows only as far as needed", () => {
    const audit: AuditRecord[] = Array.from({ length: 400 }, (_, i) => ({ repo: `acme/repo-${String(i).padStart(3, "0")}`, status: "scanned", findings: 0 }));
    const n = computeSummary({ now: NOW, issues: [], audit });
    const full = renderSummary(n).body;
    const max = Buffer.byteLength(full) - 1_000;
    const { body, omitted } = renderSummary(n, { maxBytes: max });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(max);
    expect(omitted.repositories).toBeGreaterThan(0);
    // one more row would not have fitted
    const rowBytes = Buffer.byteLength("| acme/repo-000 | scanned | 0 | 0 | 0 | 0 | 0 | 0 | ✅ |\n");
    expect(Buffer.byteLength(body) + rowBytes).toBeGreaterThan(max);
    expect(body).toContain(`_${omitted.repositories} more repositories omitted`);
  });
});

describe("the re-scan checkbox", () => {
  const body = renderSummary(standard()).body;

  it("is unticked when posted", () => {
    expect(body).toContain("- [ ] Re-scan all repositories now <!-- keywarden:rescan -->");
    expect(isRescanRequested(body)).toBe(false);
  });

  it("is detected when ticked (as GitHub writes it, with x or X, LF or CRLF)", () => {
    const ticked = body.replace("- [ ] Re-scan", "- [x] Re-scan");
    expect(isRescanRequested(ticked)).toBe(true);
    expect(isRescanRequested(body.replace("- [ ] Re-scan", "- [X] Re-scan"))).toBe(true);
    expect(isRescanRequested(ticked.replace(/\n/g, "\r\n"))).toBe(true);
  });

  it("ignores other ticked boxes and text that merely mentions the label", () => {
    const other = `${body}\n- [x] Something else\n- [x] Re-scan all repositories now (no marker)\n`;
    expect(isRescanRequested(other)).toBe(false);
    expect(isRescanRequested(null)).toBe(false);
  });

  it("unticks back to exactly the posted body", () => {
    const ticked = body.replace("- [ ] Re-scan", "- [x] Re-scan");
    expect(untickRescan(ticked)).toBe(body);
    expect(isRescanRequested(untickRescan(ticked))).toBe(false);
    const crlf = ticked.replace(/\n/g, "\r\n");
    expect(untickRescan(crlf)).toBe(body.replace(/\n/g, "\r\n"));
    expect(untickRescan(body)).toBe(body);
  });
});

describe("isoWeek", () => {
  it("numbers weeks as ISO 8601 does, in UTC", () => {
    expect(isoWeek(new Date("2026-11-24T04:47:00Z"))).toBe("2026-W48");
    expect(isoWeek(new Date("2026-11-22T23:59:59Z"))).toBe("2026-W47");
    expect(isoWeek(new Date("2021-01-03T12:00:00Z"))).toBe("2020-W53");
    expect(isoWeek(new Date("2024-12-30T00:00:00Z"))).toBe("2025-W01");
    expect(isoWeek(new Date("2026-01-01T00:00:00Z"))).toBe("2026-W01");
    // 23:30 on Sunday in New York is already Monday in UTC
    expect(isoWeek(new Date("2026-11-22T23:30:00-05:00"))).toBe("2026-W48");
  });

  it("maps a week back to its Monday and refuses weeks that do not exist", () => {
    expect(isoWeekStart("2026-W48").toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(isoWeekStart("2020-W53").toISOString()).toBe("2020-12-28T00:00:00.000Z");
    expect(() => isoWeekStart("2021-W53")).toThrow(/no such ISO week/);
    expect(() => isoWeekStart("2026-48")).toThrow(/YYYY-Www/);
    expect(() => isoWeek(new Date("nope"))).toThrow(RangeError);
  });
});
