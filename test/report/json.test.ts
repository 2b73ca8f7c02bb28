import { describe, expect, it } from "vitest";
import { formatJson } from "../../src/report/json.js";
import { ROOT_ACCESS_KEY_CONTROLS } from "../../src/rules/controls.js";
import type { Finding } from "../../src/domain/types.js";
import { finding, scanResult } from "./sample-findings.js";

describe("formatJson", () => {
  it("is exactly { findings, suppressed, errors, stats }, findings in reading order", () => {
    const result = scanResult();
    const parsed = JSON.parse(formatJson(result)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["findings", "suppressed", "errors", "stats"]);
    const findings = parsed["findings"] as { file: string; line: number }[];
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(["a.tf:10", "envs/prod/iam.tf:2", "envs/prod/iam.tf:7"]);
    expect(parsed["suppressed"]).toEqual(result.suppressed.map((f) => ({ ...f, controls: [...ROOT_ACCESS_KEY_CONTROLS] })));
    expect(parsed["errors"]).toEqual(result.errors);
    expect(parsed["stats"]).toEqual(result.stats);
  });

  it("adds each finding's rule controls after the contract's fields, which stay as they were", () => {
    const result = scanResult({ findings: [finding(), finding({ ruleId: "not-a-registered-rule", fingerprint: "u" })] });
    const parsed = JSON.parse(formatJson(result)) as { findings: (Finding & { controls: unknown[] })[] };
    const known = parsed.findings.find((f) => f.fingerprint === finding().fingerprint);
    const unknown = parsed.findings.find((f) => f.fingerprint === "u");
    expect(Object.keys(known!)).toEqual([...Object.keys(finding()), "controls"]);
    const { controls, ...rest } = known!;
    expect(rest).toEqual(finding());
    expect(controls).toEqual([
      {
        framework: "CIS AWS Foundations Benchmark",
        id: "1.4",
        title: "Ensure no 'root' user account access key exists",
        versions: "v1.4.0 through v3.0.0",
        note: "numbered 1.12 in v1.2.0",
        url: "https://www.cisecurity.org/benchmark/amazon_web_services",
      },
      {
        framework: "AWS Foundational Security Best Practices (AWS Security Hub)",
        id: "IAM.4",
        title: "IAM root user access key should not exist",
        url: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4",
      },
    ]);
    expect(unknown!.controls).toEqual([]);
  });

  it("prints the same bytes for the same findings in any order", () => {
    const a = scanResult();
    const b = scanResult({ findings: [...a.findings].reverse() });
    expect(formatJson(b)).toBe(formatJson(a));
  });
});
