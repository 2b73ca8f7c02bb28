import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { scan } from "../../src/scan/index.js";

const examples = fileURLToPath(new URL("../../examples", import.meta.url));
const ROOT = "terraform-aws-root-account-has-active-access-keys";
const EXPOSED = "terraform-aws-iam-access-key-is-exposed";
const SEED_DIRS = ["iam-access-key-is-exposed", "root-account-has-active-access-keys"];

describe("seed examples (the lines KICS expects)", () => {
  it("fires exactly where KICS does, and nowhere on compliant code", async () => {
    const result = await scan(examples);
    const seed = (f: { file: string }): boolean => SEED_DIRS.some((d) => f.file.startsWith(`${d}/`));
    const got = result.findings.filter(seed).map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.resource}`);
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
    expect(result.suppressed.filter(seed)).toEqual([]);
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

describe("module and exception examples", () => {
  it("module-calls: the module called with root is found through its call, the one called with deploy is not", async () => {
    const result = await scan(examples);
    const got = result.findings.filter((f) => f.file.startsWith("module-calls/")).map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.resource}`);
    expect(got).toEqual([
      `${ROOT} module-calls/modules/access-key/main.tf:6 module.break_glass.aws_iam_access_key.this`,
      `${EXPOSED} module-calls/modules/access-key/main.tf:7 module.break_glass.aws_iam_access_key.this`,
    ]);
  });

  it("expiring-exception: suppressed until 2099-12-31, live from then on", async () => {
    const before = await scan(examples, { now: new Date("2099-12-30T12:00:00Z") });
    expect(before.findings.filter((f) => f.file.startsWith("expiring-exception/"))).toEqual([]);
    expect(before.suppressed.filter((f) => f.file.startsWith("expiring-exception/")).map((f) => f.suppression.expires)).toEqual(["2099-12-31", "2099-12-31"]);
    const after = await scan(examples, { now: new Date("2099-12-31T00:00:00Z") });
    expect(after.findings.filter((f) => f.file.startsWith("expiring-exception/")).map((f) => f.exceptionExpired)).toEqual(["2099-12-31", "2099-12-31"]);
  });
});
