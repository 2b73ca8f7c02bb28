import { describe, expect, it } from "vitest";
import { readFingerprint, readMeta } from "../../src/issues/marker.js";
import { MAX_BODY_CHARS, permalink, renderIssueBody, renderIssueTitle, type IssueTarget } from "../../src/issues/render-issue.js";
import { getRuleMeta } from "../../src/rules/index.js";
import { finding, KEY_EXPOSED, ROOT_KEYS, SHA1 } from "../github/issue-fixtures.js";

const TARGET: IssueTarget = { serverUrl: "https://github.com/", owner: "octo-org", repo: "infra", commitSha: SHA1 };
const MENTION = /(^|[^\w`])@[A-Za-z0-9][A-Za-z0-9-]*/;

/** Text outside code spans and fenced blocks: where GitHub would link mentions and references. */
function prose(body: string): string {
  return body
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "")
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "")
    .replace(/<!-- keywarden:[a-z]+=[A-Za-z0-9_-]+ -->/g, "");
}

describe("renderIssueBody", () => {
  const f = finding({ fingerprint: "abcdef0123456789" });
  const body = renderIssueBody(f, TARGET);
  const meta = getRuleMeta(ROOT_KEYS)!;

  it("says severity, what and why, with a permalink to the lines at the scanned commit", () => {
    expect(body).toMatch(/High severity/);
    expect(body).toContain(`https://github.com/octo-org/infra/blob/${SHA1}/envs/prod/iam.tf#L1-L4`);
    expect(body).toContain(f.resource);
    expect(body).toContain("creates an active access key for the root user");
    expect(body.replace(/\\(.)/g, "$1")).toContain(meta.description.slice(0, 40));
  });

  it("shows the snippet, the fix as a diff block, how to rotate the key and the rule's docs", () => {
    expect(body).toContain("```hcl\n" + f.snippet.trimEnd() + "\n```");
    expect(body).toContain("```diff\n" + f.fix.trimEnd() + "\n```");
    expect(body).toContain("### Rotate the exposed key\n\nRemove the access key, or set `status = \"Inactive\"` while you migrate\\.");
    const noRemediation = renderIssueBody({ ...f, remediation: "" }, TARGET);
    expect(noRemediation).toMatch(/### Rotate the exposed key[\s\S]*Deactivate[\s\S]*CloudTrail[\s\S]*Delete the key/);
    expect(body).toContain(`(${meta.docsUrl})`);
    expect(body).toContain(`(${meta.providerDocsUrl})`);
    expect(body).toContain(`(${meta.guidanceUrl})`);
  });

  it("names the compliance controls the finding fails, linked to their frameworks' pages", () => {
    expect(body).toContain(
      "**Controls:** [CIS AWS Foundations Benchmark 1\\.4](https://www.cisecurity.org/benchmark/amazon_web_services) " +
        "“Ensure no 'root' user account access key exists” (v1\\.4\\.0 through v3\\.0\\.0; numbered 1\\.12 in v1\\.2\\.0) · " +
        "[AWS Foundational Security Best Practices \\(AWS Security Hub\\) IAM\\.4](https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4) " +
        "“IAM root user access key should not exist”",
    );
    // Both rules evidence the same two controls.
    expect(renderIssueBody(finding({ ruleId: KEY_EXPOSED, fingerprint: "e" }), TARGET)).toContain("IAM\\.4](https://docs.aws.amazon.com/securityhub/");
    // Before "Offending code": read with what is wrong and why.
    expect(body.indexOf("**Controls:**")).toBeLessThan(body.indexOf("### Offending code"));
  });

  it("ends with the fingerprint and meta markers", () => {
    expect(readFingerprint(body)).toBe(f.fingerprint);
    expect(readMeta(body)).toEqual({ fingerprint: f.fingerprint, ruleId: ROOT_KEYS, severity: "HIGH", file: f.file, resource: f.resource });
    expect(body.trimEnd().split("\n").slice(-2).every((l) => l.startsWith("<!-- keywarden:"))).toBe(true);
  });

  it("is the same for the same inputs (edit-only-if-changed compares bodies)", () => {
    expect(renderIssueBody({ ...f }, { ...TARGET })).toBe(body);
  });

  it("renders without a repository (CLI markdown): no link, still the path and lines", () => {
    const local = renderIssueBody(f, { serverUrl: "https://github.com" });
    expect(local).not.toContain("/blob/");
    expect(local).toContain("`envs/prod/iam.tf` lines 1–4");
  });

  it("neutralises hostile repository text", () => {
    const hostile = finding({
      fingerprint: "0123456789abcdef",
      ruleId: KEY_EXPOSED,
      file: "teams/@octo-org/security/(x) #1.tf",
      resource: "aws_iam_access_key.`evil`@hubot",
      message: "Fixes #1 @octocat <script>alert(1)</script> [x](javascript:alert(1))",
      snippet: 'resource "x" "y" {\n```\n# @octo-org/team fixes #2 <!-- keywarden:fingerprint=ffffffffffffffff -->\n}\n',
      fix: "--- a/x\n+++ b/x\n````\n-  @everyone\n",
    });
    const out = renderIssueBody(hostile, TARGET);
    const text = prose(out);
    expect(text).not.toMatch(MENTION);
    expect(text).not.toMatch(/(^|[^\w])#\d/);
    expect(text.replace(/<\/?sub>/g, "")).not.toMatch(/<\/?[a-z]+[\s>]/i); // only our own <sub> is HTML
    expect(text).not.toMatch(/\]\(javascript:/); // the hostile link is inert text
    expect(readFingerprint(out)).toBe(hostile.fingerprint); // the forged marker in the snippet is inert
    expect(out).toContain("/blob/" + SHA1 + "/teams/%40octo-org/security/%28x%29%20%231.tf#L1-L4");
    const title = renderIssueTitle(hostile);
    expect(title).not.toMatch(MENTION);
    expect(title).not.toMatch(/#\d/);
  });

  it("stays under GitHub's 65,536-character limit, saying what was cut", () => {
    const huge = "  tags = { a = \"" + "x".repeat(200) + "\" }\n";
    const big = finding({ fingerprint: "1234123412341234", snippet: huge.repeat(600), fix: `--- a/x\n+++ b/x\n${("+" + huge).repeat(600)}` });
    const out = renderIssueBody(big, TARGET);
    expect(out.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
    expect(out.length).toBeGreaterThan(MAX_BODY_CHARS / 2); // truncated, not dropped
    expect(out).toMatch(/snippet truncated: \d+ more lines/);
    expect(out).toMatch(/diff truncated: \d+ more lines/);
    expect(readFingerprint(out)).toBe(big.fingerprint);
    expect(readMeta(out)?.fingerprint).toBe(big.fingerprint);
  });
});

describe("permalink", () => {
  it("uses the server URL (GitHub Enterprise Server) and a single line anchor for one line", () => {
    const f = finding({ fingerprint: "abcdef0123456789", block: { startLine: 5, endLine: 5 } });
    expect(permalink(f, { serverUrl: "http://ghe.local", owner: "o", repo: "r", commitSha: SHA1 })).toBe(`http://ghe.local/o/r/blob/${SHA1}/envs/prod/iam.tf#L5`);
  });
});
