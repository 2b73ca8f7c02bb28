import { describe, expect, it } from "vitest";
import { formatJson } from "../../src/report/json.js";
import { scanResult } from "./sample-findings.js";

describe("formatJson", () => {
  it("is exactly { findings, suppressed, errors, stats }, findings in reading order", () => {
    const result = scanResult();
    const parsed = JSON.parse(formatJson(result)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["findings", "suppressed", "errors", "stats"]);
    const findings = parsed["findings"] as { file: string; line: number }[];
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(["a.tf:10", "envs/prod/iam.tf:2", "envs/prod/iam.tf:7"]);
    expect(parsed["suppressed"]).toEqual(result.suppressed);
    expect(parsed["errors"]).toEqual(result.errors);
    expect(parsed["stats"]).toEqual(result.stats);
  });

  it("prints the same bytes for the same findings in any order", () => {
    const a = scanResult();
    const b = scanResult({ findings: [...a.findings].reverse() });
    expect(formatJson(b)).toBe(formatJson(a));
  });
});
