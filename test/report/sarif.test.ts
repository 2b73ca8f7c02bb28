import { describe, expect, it } from "vitest";
import { buildSarif, pathToUriReference, SARIF_FINGERPRINT_KEY } from "../../src/report/sarif.js";
import { ROOT_ACCESS_KEY_CONTROLS } from "../../src/rules/controls.js";
import { finding, RULES, scanResult, suppressed } from "./sample-findings.js";
import { sarifErrors } from "./sarif-schema.js";

const options = { rules: RULES, toolVersion: "0.1.0", uriPrefix: "infra", baseUri: "file:///work/repo/" };

describe("buildSarif", () => {
  it("validates against the official SARIF 2.1.0 schema", () => {
    const log = buildSarif(scanResult(), options);
    expect(sarifErrors(log)).toEqual([]);
  });

  it("the validator really rejects broken SARIF (the check is not vacuous)", () => {
    const log = buildSarif(scanResult(), options) as unknown as { runs: { results: { level: string }[] }[] };
    log.runs[0]!.results[0]!.level = "critical";
    expect(sarifErrors(log).join("\n")).toMatch(/level/);
    expect(sarifErrors({ version: "2.0.0", runs: [] })).not.toEqual([]);
  });

  it("describes every rule the way GitHub code scanning reads it", () => {
    const driver = buildSarif(scanResult(), options).runs[0]!.tool.driver;
    expect(driver.name).toBe("Keywarden");
    expect(driver.semanticVersion).toBe("0.1.0");
    expect(driver.rules?.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const high = driver.rules![0]!;
    expect(high.name).toBe("RootAccountHasActiveAccessKeys");
    expect(high.shortDescription?.text).toBe("Root account has active access keys");
    expect(high.fullDescription?.text).toBe(RULES[0]!.shortDescription);
    expect(high.helpUri).toBe(RULES[0]!.docsUrl);
    expect(high.help?.text).toContain(RULES[0]!.guidanceUrl);
    expect(high.help?.markdown).toContain(`(${RULES[0]!.guidanceUrl})`);
    expect(high.properties?.["security-severity"]).toBe("8.0");
    expect(high.properties?.["precision"]).toBe("high");
    expect(high.properties?.tags).toEqual(expect.arrayContaining(["security", "CWE-798", "external/cwe/cwe-798"]));
    expect(driver.rules![1]!.properties?.["security-severity"]).toBe("5.5");
    // GitHub's bands: 7.0-8.9 high, 4.0-6.9 medium.
    expect(Number(high.properties?.["security-severity"])).toBeGreaterThanOrEqual(7);
    expect(Number(driver.rules![1]!.properties?.["security-severity"])).toBeLessThan(7);
  });

  it("gives each result its rule, level, message, relative location and fingerprint", () => {
    const run = buildSarif(scanResult(), options).runs[0]!;
    const results = run.results!;
    expect(results).toHaveLength(4); // 3 findings + 1 suppressed
    const first = results[0]!;
    expect(first.ruleId).toBe(RULES[0]!.id);
    expect(first.ruleIndex).toBe(0);
    expect(first.level).toBe("error");
    const loc = first.locations![0]!.physicalLocation!;
    expect(loc.artifactLocation).toEqual({ uri: "infra/a.tf", uriBaseId: "%SRCROOT%" });
    expect(loc.region).toEqual({ startLine: 10 });
    expect(first.partialFingerprints).toEqual({ [SARIF_FINGERPRINT_KEY]: "22222222222222222222222222222222" });
    const medium = results.find((r) => r.ruleId === RULES[1]!.id)!;
    expect(medium.level).toBe("warning");
    expect(medium.ruleIndex).toBe(1);
    expect(run.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: "file:///work/repo/" } });
  });

  it("marks suppressed findings with an in-source suppression and its justification", () => {
    const results = buildSarif(scanResult(), options).runs[0]!.results!;
    const withSuppression = results.filter((r) => r.suppressions);
    expect(withSuppression).toHaveLength(1);
    const s = withSuppression[0]!.suppressions![0]!;
    expect(s.kind).toBe("inSource");
    expect(s.status).toBe("accepted");
    expect(s.justification).toBe("break-glass key, rotated monthly");
    expect(s.location?.physicalLocation?.region?.startLine).toBe(4);
  });

  it("carries an exception's expiry in the suppression's properties and its justification", () => {
    const base = suppressed();
    const expiring = suppressed({ suppression: { ...base.suppression, expires: "2026-12-31" } });
    const noReason = suppressed({ fingerprint: "n", suppression: { ...base.suppression, reason: "", expires: "2027-01-15" } });
    const results = buildSarif(scanResult({ suppressed: [expiring, noReason] }), options).runs[0]!.results!.filter((r) => r.suppressions);
    const [a, b] = results.map((r) => r.suppressions![0]!);
    expect(a!.justification).toBe("break-glass key, rotated monthly (exception expires 2026-12-31: the finding is live again from 00:00 UTC that day)");
    expect(a!.properties).toEqual({ source: "keywarden", comment: base.suppression.comment, expires: "2026-12-31" });
    expect(b!.justification).toBe(`suppressed by ${base.suppression.comment} (exception expires 2027-01-15: the finding is live again from 00:00 UTC that day)`);
    expect(b!.properties?.["expires"]).toBe("2027-01-15");
    // Without an expiry, nothing is added.
    const plain = buildSarif(scanResult(), options).runs[0]!.results!.find((r) => r.suppressions)!.suppressions![0]!;
    expect(plain.properties).toEqual({ source: "keywarden", comment: base.suppression.comment });
    expect(sarifErrors(buildSarif(scanResult({ suppressed: [expiring, noReason] }), options))).toEqual([]);
  });

  it("tags each rule with the controls it evidences and lists them in full", () => {
    const driver = buildSarif(scanResult(), options).runs[0]!.tool.driver;
    for (const rule of driver.rules!) {
      expect(rule.properties?.tags).toEqual(expect.arrayContaining(["CIS-AWS-1.4", "AWS-FSBP-IAM.4", "security"]));
      expect(rule.properties?.["controls"]).toEqual(ROOT_ACCESS_KEY_CONTROLS.map((c) => ({ ...c })));
      expect(rule.help?.markdown).toContain("- [CIS AWS Foundations Benchmark 1.4](https://www.cisecurity.org/benchmark/amazon_web_services): Ensure no 'root' user account access key exists (v1.4.0 through v3.0.0; numbered 1.12 in v1.2.0)");
      expect(rule.help?.text).toContain('Control: AWS Foundational Security Best Practices (AWS Security Hub) IAM.4 "IAM root user access key should not exist"');
    }
  });

  it("gives every notification descriptor a full description and help (GitHub's GH2012)", () => {
    const driver = buildSarif(scanResult(), options).runs[0]!.tool.driver;
    expect(driver.notifications!.map((n) => n.id)).toEqual(["file-error", "file-skipped"]);
    for (const n of driver.notifications!) {
      expect(n.fullDescription?.text.length).toBeGreaterThan(n.shortDescription!.text.length);
      expect(n.help?.text).toBeTruthy();
      expect(n.help?.markdown).toBeTruthy();
    }
  });

  it("reports unreadable files and skipped files as tool execution notifications", () => {
    const invocation = buildSarif(scanResult(), options).runs[0]!.invocations![0]!;
    expect(invocation.executionSuccessful).toBe(true);
    const notes = invocation.toolExecutionNotifications!;
    expect(notes.map((n) => [n.level, n.locations?.[0]?.physicalLocation?.artifactLocation?.uri])).toEqual([
      ["error", "infra/broken/main.tf"],
      ["warning", "infra/huge/generated.tf"],
    ]);
    expect(notes[0]!.message.text).toContain("Unclosed configuration block");
  });

  it("percent-encodes hostile paths so every URI is a valid URI reference", () => {
    const hostile = "we ird/#frag?q=1%/ü.tf";
    const log = buildSarif(scanResult({ findings: [finding({ file: hostile })], suppressed: [] }), { ...options, uriPrefix: "" });
    const uri = log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri!;
    expect(uri).toBe("we%20ird/%23frag%3Fq%3D1%25/%C3%BC.tf");
    expect(decodeURIComponent(uri)).toBe(hostile);
    expect(sarifErrors(log)).toEqual([]);
    // The same path unencoded is not a valid URI reference: the encoding is what makes it valid.
    log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri = hostile;
    expect(sarifErrors(log).join("\n")).toMatch(/uri-reference/);
    expect(pathToUriReference("a b/c.tf")).toBe("a%20b/c.tf");
  });

  it("still produces valid SARIF for a finding whose rule is not in the registry, and for an empty scan", () => {
    const unknown = finding({ ruleId: "some-future-rule", title: "Some future rule" });
    const log = buildSarif(scanResult({ findings: [unknown], suppressed: [] }), options);
    const driver = log.runs[0]!.tool.driver;
    expect(driver.rules!.map((r) => r.id)).toContain("some-future-rule");
    expect(log.runs[0]!.results![0]!.ruleIndex).toBe(driver.rules!.length - 1);
    expect(sarifErrors(log)).toEqual([]);
    const empty = buildSarif(
      { findings: [], suppressed: [], errors: [], stats: { filesDiscovered: 0, filesParsed: 0, bytesRead: 0, modules: 0, skipped: [] } },
      options,
    );
    expect(empty.runs[0]!.results).toEqual([]);
    expect(sarifErrors(empty)).toEqual([]);
  });
});
