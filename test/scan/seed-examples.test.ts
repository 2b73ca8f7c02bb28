import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { scan } from "../../src/scan/index.js";

const examples = fileURLToPath(new URL("../../examples", import.meta.url));
const ROOT = "terraform-aws-root-account-has-active-access-keys";
const EXPOSED = "terraform-aws-iam-access-key-is-exposed";

describe("seed examples (the lines KICS expects)", () => {
  it("fires exactly where KICS does, and nowhere on compliant code", async () => {
    const result = await scan(examples);
    const got = result.findings.map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.resource}`);
    expect(got).toEqual([
      `${EXPOSED} iam-access-key-is-exposed/non-compliant-1/main.tf:2 aws_iam_access_key.positive1`,
      `${ROOT} iam-access-key-is-exposed/non-compliant-1/main.tf:3 aws_iam_access_key.positive1`,
      `${ROOT} iam-access-key-is-exposed/non-compliant-1/main.tf:6 aws_iam_access_key.positive2`,
      `${EXPOSED} iam-access-key-is-exposed/non-compliant-1/main.tf:7 aws_iam_access_key.positive2`,
      `${ROOT} root-account-has-active-access-keys/non-compliant-1/main.tf:2 aws_iam_access_key.positive1`,
      `${EXPOSED} root-account-has-active-access-keys/non-compliant-1/main.tf:3 aws_iam_access_key.positive1`,
      `${EXPOSED} root-account-has-active-access-keys/non-compliant-2/main.tf:2 aws_iam_access_key.positive2`,
      `${ROOT} root-account-has-active-access-keys/non-compliant-2/main.tf:4 aws_iam_access_key.positive2`,
    ]);
    expect(result.errors).toEqual([]);
    expect(result.suppressed).toEqual([]);
    expect(result.findings.some((f) => f.file.includes("/compliant-"))).toBe(false);
  });

  it("reports root-account at the resource line without status and at the status line with it", async () => {
    const result = await scan(examples, { ruleIds: [ROOT] });
    const byFile = Object.fromEntries(
      result.findings.filter((f) => f.file.startsWith("root-account")).map((f) => [f.file, f.line]),
    );
    expect(byFile).toEqual({
      "root-account-has-active-access-keys/non-compliant-1/main.tf": 2,
      "root-account-has-active-access-keys/non-compliant-2/main.tf": 4,
    });
  });

  it("reports iam-access-key-is-exposed at the user lines 2 and 7", async () => {
    const result = await scan(examples, { ruleIds: [EXPOSED] });
    const lines = result.findings.filter((f) => f.file.startsWith("iam-access-key")).map((f) => f.line);
    expect(lines).toEqual([2, 7]);
  });
});
