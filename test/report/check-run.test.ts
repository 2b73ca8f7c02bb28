/**
 * The `Keywarden` check run rendered from a scan (src/report/check-run.ts): what fails, what is only
 * listed, the annotations GitHub shows at the line, and the summary and text within GitHub's limits,
 * with repository text that cannot ping, link or break out of its Markdown.
 */
import { describe, expect, it } from "vitest";
import type { ChangedLines } from "../../src/domain/check-run.js";
import type { Finding } from "../../src/domain/types.js";
import { MAX_ANNOTATIONS, renderCheckRun, type CheckRunInput } from "../../src/report/check-run.js";
import { EXPOSED_RULE, finding, suppressed } from "./sample-findings.js";

const SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

function changedAt(files: Record<string, number[] | "all">, complete = true): ChangedLines {
  return {
    files: new Map(Object.entries(files).map(([f, ls]) => [f, ls === "all" ? "all" : new Set(ls)])),
    complete,
  };
}

function input(overrides: Partial<CheckRunInput>): CheckRunInput {
  return { findings: [], suppressed: [], minSeverity: "MEDIUM", changed: changedAt({}), headSha: SHA, ...overrides };
}

/** The sample's HIGH finding (lines 1-3 of envs/prod/iam.tf, reported at 2) and its MEDIUM twin. */
const high = finding();
const medium = finding({
  ruleId: EXPOSED_RULE.id,
  severity: "MEDIUM",
  title: EXPOSED_RULE.title,
  fingerprint: "11111111111111111111111111111111",
});

describe("renderCheckRun: conclusion", () => {
  it("fails on a finding whose block touches an added line, with an annotation at its line", () => {
    const out = renderCheckRun(input({ findings: [high, medium], changed: changedAt({ "envs/prod/iam.tf": [3] }) }));
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("1 root-user access key added (2 findings at MEDIUM or above)");
    expect(out.annotations).toHaveLength(2);
    expect(out.annotations[0]).toEqual({
      path: "envs/prod/iam.tf",
      start_line: 2,
      end_line: 2,
      annotation_level: "failure",
      title: `${high.title} (${high.ruleId})`,
      message: `${high.message}\n\nFix: ${high.remediation}`,
      raw_details: high.fix,
    });
    expect(out.annotations[1]!.title).toBe(`${EXPOSED_RULE.title} (${EXPOSED_RULE.id})`);
    expect(out.summary).toContain("**2 findings** on lines this pull request adds or changes · 2 at MEDIUM or above · 0 already on the base branch · 0 suppressed");
    expect(out.summary).toContain("| ❌ `terraform-aws-root-account-has-active-access-keys` | HIGH | `envs/prod/iam.tf:2` | `aws_iam_access_key.deploy` |");
    // Both rules give the same fix: one fence, naming both.
    expect(out.text!.match(/```diff/g)).toHaveLength(1);
    expect(out.text).toContain(high.fix.trimEnd());
    expect(out.text).toContain(`\`${high.ruleId}\`, \`${EXPOSED_RULE.id}\``);
  });

  it("succeeds when the only finding is on lines the pull request does not touch, listing it with its issue", () => {
    const out = renderCheckRun(
      input({
        findings: [high],
        changed: changedAt({ "envs/prod/iam.tf": [4, 5], "other.tf": "all" }),
        issueUrls: new Map([[high.fingerprint, "https://github.com/octo-org/infra/issues/7"]]),
      }),
    );
    expect(out.conclusion).toBe("success");
    expect(out.title).toBe("No root-user access key added");
    expect(out.annotations).toEqual([]);
    expect(out.text).toBeUndefined();
    expect(out.summary).toContain("**0 findings** on lines this pull request adds or changes · 0 at MEDIUM or above · 1 already on the base branch");
    expect(out.summary).toContain("### Already on the base branch");
    expect(out.summary).toContain(
      "- HIGH `terraform-aws-root-account-has-active-access-keys` at `envs/prod/iam.tf:2`, `aws_iam_access_key.deploy` ([issue](https://github.com/octo-org/infra/issues/7))",
    );
    expect(out.summary).not.toContain("| rule |");
  });

  it("respects minSeverity: a changed finding below it is a warning, not a failure", () => {
    const out = renderCheckRun(input({ findings: [medium], minSeverity: "HIGH", changed: changedAt({ "envs/prod/iam.tf": [1] }) }));
    expect(out.conclusion).toBe("success");
    expect(out.title).toBe("No root-user access key added at HIGH or above (1 lower-severity finding)");
    expect(out.annotations).toHaveLength(1);
    expect(out.annotations[0]!.annotation_level).toBe("warning");
    expect(out.summary).toContain("| ⚠️ `terraform-aws-iam-access-key-is-exposed` | MEDIUM |");
    expect(renderCheckRun(input({ findings: [medium], minSeverity: "MEDIUM", changed: changedAt({ "envs/prod/iam.tf": [1] }) })).conclusion).toBe(
      "failure",
    );
  });

  it("counts the whole commit for a push ('all')", () => {
    const out = renderCheckRun(input({ findings: [high, finding({ file: "b.tf", resource: "aws_iam_access_key.b", fingerprint: "b" })], changed: "all" }));
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("2 root-user access keys in this commit (2 findings at MEDIUM or above)");
    expect(out.summary).toContain("**2 findings** on this commit · 2 at MEDIUM or above · 0 suppressed");
    expect(out.summary).not.toContain("already on the base branch");
    expect(renderCheckRun(input({ changed: "all" })).title).toBe("No root-user access key in this commit");
  });

  it("treats a file GitHub did not list as changed only when the listing is incomplete", () => {
    const elsewhere = changedAt({ "other.tf": [1] }, true);
    expect(renderCheckRun(input({ findings: [high], changed: elsewhere })).conclusion).toBe("success");
    const incomplete = changedAt({ "other.tf": [1] }, false);
    expect(renderCheckRun(input({ findings: [high], changed: incomplete })).conclusion).toBe("failure");
    // A file listed without a patch: every line may be new.
    expect(renderCheckRun(input({ findings: [high], changed: changedAt({ "envs/prod/iam.tf": "all" }) })).conclusion).toBe("failure");
  });

  it("lists suppressed findings with their reason and expiry, and the files not scanned", () => {
    const out = renderCheckRun(
      input({
        suppressed: [
          suppressed({ suppression: { ...suppressed().suppression, expires: "2026-12-31" } }),
          suppressed({ file: "z.tf", fingerprint: "z", suppression: { ...suppressed().suppression, reason: "", reasonMissing: true } }),
        ],
        fileErrors: 2,
      }),
    );
    expect(out.conclusion).toBe("success");
    expect(out.summary).toContain("### Suppressed in code");
    expect(out.summary).toContain("`legacy/keys.tf:5`, `aws_iam_access_key.old`: break\\-glass key, rotated monthly, until `2026-12-31`");
    expect(out.summary).toContain("`z.tf:5`, `aws_iam_access_key.old`: _no reason given_");
    expect(out.summary).toContain("2 Terraform files could not be scanned");
    expect(out.summary).toContain(SHA);
  });
});

describe("renderCheckRun: caps", () => {
  const many: Finding[] = Array.from({ length: 600 }, (_, i) =>
    finding({
      file: `modules/generated/very/long/path/to/keys-${String(i).padStart(4, "0")}.tf`,
      resource: `aws_iam_access_key.generated_${"k".repeat(60)}_${i}`,
      severity: i % 2 ? "MEDIUM" : "HIGH",
      ruleId: i % 2 ? EXPOSED_RULE.id : "terraform-aws-root-account-has-active-access-keys",
      fingerprint: `fp${i}`,
      fix: `--- a/keys-${i}.tf\n+++ b/keys-${i}.tf\n@@ -1,3 +1,4 @@\n resource "aws_iam_access_key" "k${i}" {\n   user = "root"\n+  status = "Inactive"\n }\n`,
    }),
  );

  it("keeps 500 annotations, most severe first, and says how many more", () => {
    const out = renderCheckRun(input({ findings: many, changed: "all" }));
    expect(out.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(out.annotations.slice(0, 300).every((a) => a.title.includes("(terraform-aws-root-account-has-active-access-keys)"))).toBe(true);
    expect(out.annotations[300]!.title).toContain(`(${EXPOSED_RULE.id})`);
    const paths = out.annotations.slice(0, 300).map((a) => a.path);
    expect(paths).toEqual([...paths].sort());
    expect(out.summary).toContain("100 more changed findings are not annotated: a check run keeps 500 annotations");
  });

  it("keeps the summary and the text under GitHub's 65,535 characters, counting what is not listed", () => {
    const out = renderCheckRun(input({ findings: many, changed: "all", suppressed: many.map((f) => ({ ...suppressed(), ...f, suppression: suppressed().suppression })) }));
    expect(out.summary.length).toBeLessThan(65_536);
    expect(Buffer.byteLength(out.summary)).toBeLessThan(65_536);
    const listed = (out.summary.match(/^\| [❌⚠]/gmu) ?? []).length;
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThan(600);
    expect(out.summary).toContain(`| … | | ${600 - listed} more findings not listed | |`);
    expect(out.text!.length).toBeLessThan(65_536);
    const fences = (out.text!.match(/^```diff$/gm) ?? []).length;
    expect(fences).toBeGreaterThan(0);
    expect(out.text).toContain(`_${600 - fences} more fixes not shown: see the annotations._`);
  });

  it("keeps every section's heading and count when the first table fills the summary", () => {
    const onBase = many.map((f) => ({ ...f, fingerprint: `base-${f.fingerprint}` }));
    const out = renderCheckRun(
      input({
        findings: [...many, ...onBase.map((f) => ({ ...f, file: `base/${f.file}` }))],
        changed: changedAt(Object.fromEntries(many.map((f) => [f.file, "all" as const]))),
        suppressed: many.map((f) => ({ ...suppressed(), ...f, suppression: suppressed().suppression })),
      }),
    );
    expect(Buffer.byteLength(out.summary)).toBeLessThan(65_536);
    expect(out.summary).toContain("### Already on the base branch");
    expect(out.summary).toMatch(/- … and \d+ more findings not listed/);
    expect(out.summary).toContain("### Suppressed in code");
    expect(out.summary).toMatch(/- … and \d+ more suppressed findings not listed/);
    expect(out.summary).toContain("600 already on the base branch · 600 suppressed");
  });

  it("clips a huge title and message to GitHub's annotation limits", () => {
    const huge = finding({ title: "T".repeat(1000), message: "m".repeat(200_000) });
    const [a] = renderCheckRun(input({ findings: [huge], changed: "all" })).annotations;
    expect(a!.title.length).toBeLessThanOrEqual(255);
    expect(a!.message.length).toBeLessThanOrEqual(60_000);
  });
});

/**
 * The Markdown outside code (CommonMark's rules, as far as these outputs use them): fenced blocks end
 * only at a fence of the same length, code spans only at a backtick run of the same length. What is
 * inside renders as text: no mention, link or HTML.
 */
function outsideCode(markdown: string): string {
  return markdown
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "")
    .replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
}

describe("renderCheckRun: hostile repository text", () => {
  it("cannot mention, link or escape its code spans, table cells or fences", () => {
    const hostile = finding({
      file: "teams/@org/team/`x`|y</details>.tf",
      resource: "aws_iam_access_key.a```b @someone #12",
      fingerprint: "h1",
      fix: "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-```\n+```\n</details>\n",
    });
    const old = finding({ file: "@org/old.tf", resource: "aws_iam_access_key.x|z", fingerprint: "h2", line: 40, block: { startLine: 40, endLine: 42 } });
    const hidden = suppressed({ suppression: { ...suppressed().suppression, reason: "ok by @security-team, see #99 <b>x</b>" } });
    const out = renderCheckRun(
      input({
        findings: [hostile, old],
        suppressed: [hidden],
        changed: changedAt({ [hostile.file]: [2] }),
        issueUrls: new Map([["h2", "javascript:alert(1)"]]),
      }),
    );
    for (const text of [out.summary, out.text!].map(outsideCode)) {
      expect(text).not.toMatch(/@(?!\u200D)[A-Za-z]/);
      expect(text).not.toMatch(/#(?!\u200D)\d/);
      expect(text).not.toContain("</details>");
      expect(text).not.toContain("<b>");
    }
    // Every table row still has exactly four cells: pipes in paths and addresses are escaped.
    const rows = out.summary.split("\n").filter((l) => l.startsWith("| ❌"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.split(/(?<!\\)\|/).length - 2).toBe(4);
    // The fix's own ``` lines sit inside a longer fence.
    expect(out.text).toMatch(/^````diff$/m);
    expect(out.text!.split("\n").filter((l) => l === "````")).toHaveLength(1);
    // A link to anything but http(s) is not a link.
    expect(out.summary).not.toContain("javascript:");
    // Annotations are plain text at the real path.
    expect(out.annotations[0]!.path).toBe(hostile.file);
  });
});
