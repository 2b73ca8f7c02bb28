import { describe, expect, it } from "vitest";
import { renderIssueBody, renderIssueTitle } from "../../src/issues/render-issue.js";
import { formatMarkdown } from "../../src/report/markdown.js";
import { finding, scanResult } from "./sample-findings.js";

const target = { serverUrl: "https://github.com", owner: "acme", repo: "infra", commitSha: "b".repeat(40) };

describe("formatMarkdown", () => {
  it("prints, per finding in reading order, the issue title and exactly the body Keywarden would file", () => {
    const result = scanResult();
    const out = formatMarkdown(result, { target });
    const sections = out.split("\n---\n\n");
    // 3 findings, then the suppressed list, then the error list.
    expect(sections).toHaveLength(5);
    const ordered = [result.findings[2]!, result.findings[1]!, result.findings[0]!]; // a.tf:10, iam.tf:2, iam.tf:7
    ordered.forEach((f, i) => {
      const section = sections[i]!;
      expect(section.split("\n")[0]).toMatch(new RegExp(`^# Issue ${i + 1} of 3: `));
      expect(section).toContain(renderIssueBody(f, target));
      expect(renderIssueTitle(f).length).toBeGreaterThan(0);
    });
    expect(sections[3]).toContain("# Suppressed in code (no issue filed)");
    expect(sections[3]).toContain("legacy/keys.tf:5");
    expect(sections[4]).toContain("# Files that could not be scanned");
    expect(sections[4]).toContain("broken/main.tf");
  });

  it("says no issue would be filed when there is no finding", () => {
    const out = formatMarkdown(scanResult({ findings: [], suppressed: [], errors: [] }), { target });
    expect(out).toBe("No findings: Keywarden would file no issue.\n");
  });

  it("cannot be used to ping people or break the layout through file names", () => {
    const out = formatMarkdown(
      scanResult({ findings: [finding({ file: "teams/@acme/core/`x`\n# heading.tf" })], suppressed: [], errors: [] }),
      { target },
    );
    // Mentions only count outside code; inside code spans and fences GitHub does not link them.
    const prose = out.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "").replace(/(`+)[\s\S]*?\1/g, "");
    expect(out).toContain("@acme"); // the name is there, in code ...
    expect(prose).not.toMatch(/@acme/); // ... but never where it would ping
    expect(out).not.toMatch(/^# heading/m);
  });
});
