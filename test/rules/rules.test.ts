import { describe, expect, it } from "vitest";
import { findRule, getRuleMeta, rules, type EvaluatedAccessKey, type EvaluatedAttribute } from "../../src/rules/index.js";
import { rootAccountHasActiveAccessKeys as root } from "../../src/rules/root-account-has-active-access-keys.js";
import { iamAccessKeyIsExposed as exposed } from "../../src/rules/iam-access-key-is-exposed.js";
import { controlTag } from "../../src/rules/controls.js";

/** An evaluated key as the scanner would hand it over, from the block's lines. */
function keyFrom(lines: string[], values: Record<string, unknown>, startLine = 10): EvaluatedAccessKey {
  const attributes: Record<string, EvaluatedAttribute> = {};
  lines.forEach((line, i) => {
    const m = /^\s*"?(\w+)"?\s*[=:]/.exec(line);
    if (m?.[1] && m[1] in values) attributes[m[1]] = { line: startLine + i, value: values[m[1]], resolved: true };
  });
  return {
    file: "env/iam.tf",
    address: "aws_iam_access_key.k",
    syntax: lines[0]?.startsWith('"') ? "json" : "hcl",
    headerLine: startLine,
    block: { startLine, endLine: startLine + lines.length - 1 },
    blockLines: lines,
    attributes,
  };
}

describe("registry", () => {
  it("lists both seed rules with their seed metadata", () => {
    expect(rules.map((r) => [r.meta.id, r.meta.severity, r.meta.category, r.meta.cwe])).toEqual([
      ["terraform-aws-root-account-has-active-access-keys", "HIGH", "Insecure Configurations", "CWE-710"],
      ["terraform-aws-iam-access-key-is-exposed", "MEDIUM", "Access Control", "CWE-200"],
    ]);
    for (const rule of rules) {
      expect(rule.meta.docsUrl).toBe(
        `https://docs.datadoghq.com/security/code_security/iac_security/iac_rules/${rule.meta.id}/`,
      );
      expect(rule.meta.guidanceUrl).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
  });

  it("finds metadata by id and rules by KICS query id", () => {
    expect(getRuleMeta("terraform-aws-iam-access-key-is-exposed")?.title).toBe("IAM access key is exposed");
    expect(getRuleMeta("nope")).toBeUndefined();
    expect(findRule("970D224D-B42A-416B-81F9-8F4DFE70C4BC")).toBe(root);
  });
});

describe("root account has active access keys", () => {
  it("fires on a user containing root, at the header without status and at the status line with it", () => {
    expect(root.check(keyFrom(['resource "aws_iam_access_key" "k" {', '  user = "svc-Root-1"', "}"], { user: "svc-Root-1" }))?.line).toBe(10);
    const withStatus = keyFrom(['resource "aws_iam_access_key" "k" {', '  user = "root"', '  status = "active"', "}"], { user: "root", status: "active" });
    expect(root.check(withStatus)?.line).toBe(12);
  });

  it("stays quiet for an inactive key, another user or no user", () => {
    expect(root.check(keyFrom(["r {", '  user = "root"', '  status = "Inactive"', "}"], { user: "root", status: "Inactive" }))).toBeUndefined();
    expect(root.check(keyFrom(["r {", '  user = "deploy"', "}"], { user: "deploy" }))).toBeUndefined();
    expect(root.check(keyFrom(["r {", "}"], {}))).toBeUndefined();
  });

  it("names the resource and the offending values, and fixes with a unified diff that adds status", () => {
    const hit = root.check(keyFrom(['resource "aws_iam_access_key" "k" {', '  user = "root"', "}"], { user: "root" }));
    expect(hit?.message).toBe('aws_iam_access_key.k declares an access key for user "root" (a root account) with no status, so it defaults to "Active".');
    expect(hit?.remediation).toContain("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html");
    expect(hit?.remediation).toMatch(/Deactivate[\s\S]*Delete/);
    expect(hit?.fix).toBe(
      [
        "--- a/env/iam.tf",
        "+++ b/env/iam.tf",
        "@@ -10,3 +10,4 @@",
        ' resource "aws_iam_access_key" "k" {',
        '   user = "root"',
        '+  status = "Inactive"',
        " }",
        "",
      ].join("\n"),
    );
  });
});

describe("IAM access key is exposed", () => {
  it("fires at the user line only when user is root in any case and the key is active", () => {
    const lines = ['resource "aws_iam_access_key" "k" {', '  user   = "ROOT"', '  status = "Active"', "}"];
    const hit = exposed.check(keyFrom(lines, { user: "ROOT", status: "Active" }));
    expect(hit?.line).toBe(11);
    expect(hit?.fix).toBe(
      [
        "--- a/env/iam.tf",
        "+++ b/env/iam.tf",
        "@@ -10,4 +10,4 @@",
        ' resource "aws_iam_access_key" "k" {',
        '   user   = "ROOT"',
        '-  status = "Active"',
        '+  status = "Inactive"',
        " }",
        "",
      ].join("\n"),
    );
    expect(exposed.check(keyFrom(["r {", '  user = "root-admin"', "}"], { user: "root-admin" }))).toBeUndefined();
    expect(exposed.check(keyFrom(["r {", '  user = "root"', '  status = "Inactive"', "}"], { user: "root", status: "Inactive" }))).toBeUndefined();
  });

  it("treats an unresolved status as absent", () => {
    const key = keyFrom(["r {", '  user = "root"', "  status = var.s", "}"], { user: "root" });
    const unresolved = { ...key, attributes: { ...key.attributes, status: { line: 12, value: "var.s", resolved: false } } };
    const hit = exposed.check(unresolved);
    expect(hit?.line).toBe(11);
    expect(hit?.message).toContain("no status");
    expect(root.check(unresolved)?.line).toBe(10);
  });

  it("writes the fix in JSON for Terraform JSON files", () => {
    const lines = ['"k": {', '  "user": "root",', '  "status": "Active"', "}"];
    const hit = exposed.check(keyFrom(lines, { user: "root", status: "Active" }));
    expect(hit?.fix).toContain('-  "status": "Active"\n+  "status": "Inactive"\n');
  });

  it("is pure: the same key gives the same answer", () => {
    const key = keyFrom(["r {", '  user = "root"', "}"], { user: "root" });
    expect(exposed.check(key)).toEqual(exposed.check(key));
  });
});

describe("compliance controls", () => {
  it("both rules evidence CIS AWS Foundations 1.4 and Security Hub FSBP IAM.4, with tags for filters", () => {
    for (const rule of rules) {
      expect(rule.meta.controls.map((c) => [c.framework, c.id, c.title, c.versions, c.note, c.url])).toEqual([
        [
          "CIS AWS Foundations Benchmark",
          "1.4",
          "Ensure no 'root' user account access key exists",
          "v1.4.0 through v3.0.0",
          "numbered 1.12 in v1.2.0",
          "https://www.cisecurity.org/benchmark/amazon_web_services",
        ],
        [
          "AWS Foundational Security Best Practices (AWS Security Hub)",
          "IAM.4",
          "IAM root user access key should not exist",
          undefined,
          undefined,
          "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4",
        ],
      ]);
      expect(rule.meta.controls.map(controlTag)).toEqual(["CIS-AWS-1.4", "AWS-FSBP-IAM.4"]);
    }
    expect(controlTag({ framework: "NIST SP 800-53 Rev. 5", id: "IA-5", title: "Authenticator management", url: "https://example.org" })).toBe(
      "NIST-SP-800-53-Rev-5-IA-5",
    );
  });
});
