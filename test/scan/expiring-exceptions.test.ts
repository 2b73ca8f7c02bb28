import { describe, expect, it } from "vitest";
import { scan } from "../../src/scan/index.js";
import { EXPOSED, ROOT, tempTree, where } from "./temp-tree.js";

const KEY = `resource "aws_iam_access_key" "k" {\n  user = "root"\n}\n`;
const COMMENT = `# keywarden:ignore ${ROOT},${EXPOSED} break-glass key, rotated monthly exp:2026-11-30\n`;

async function at(text: string, now: string) {
  const root = await tempTree({ "main.tf": text });
  return scan(root, { now: new Date(now) });
}

describe("expiring exceptions (exp:YYYY-MM-DD)", () => {
  it("suppresses up to the end of the day before the date, with the date and the reason apart", async () => {
    const r = await at(COMMENT + KEY, "2026-11-29T23:59:59.999Z");
    expect(r.findings).toEqual([]);
    expect(where(r.suppressed)).toEqual(["root main.tf:2", "exposed main.tf:3"]);
    expect(r.suppressed[0]?.suppression).toEqual({
      source: "keywarden",
      line: 1,
      reason: "break-glass key, rotated monthly",
      expires: "2026-11-30",
      comment: COMMENT.trim(),
    });
  });

  it("from 00:00 UTC on the date (as Trivy), the finding is live again and says its exception expired", async () => {
    const r = await at(COMMENT + KEY, "2026-11-30T00:00:00.000Z");
    expect(r.suppressed).toEqual([]);
    expect(where(r.findings)).toEqual(["root main.tf:2", "exposed main.tf:3"]);
    expect(r.findings.every((f) => f.exceptionExpired === "2026-11-30")).toBe(true);
    expect(r.findings[0]?.message).toContain("expired on 2026-11-30");
    expect(r.errors).toEqual([]);
  });

  it("the fingerprint is the same suppressed and expired, so the same issue comes back", async () => {
    const before = await at(COMMENT + KEY, "2026-11-01T00:00:00Z");
    const after = await at(COMMENT + KEY, "2026-12-01T00:00:00Z");
    expect(after.findings.map((f) => f.fingerprint)).toEqual(before.suppressed.map((f) => f.fingerprint));
  });

  it("defaults to the current time", async () => {
    const root = await tempTree({ "main.tf": `# keywarden:ignore ${ROOT} old exp:2000-01-01\n${KEY}` });
    const r = await scan(root);
    expect(where(r.findings)).toEqual(["root main.tf:2", "exposed main.tf:3"]);
  });

  it("a live exception beside an expired one still suppresses", async () => {
    const text = `# keywarden:ignore ${ROOT} old exp:2020-01-01\nresource "aws_iam_access_key" "k" { # keywarden:ignore ${ROOT} renewed exp:2030-01-01\n  user = "root"\n}\n`;
    const r = await at(text, "2026-12-02T00:00:00Z");
    expect(where(r.suppressed)).toEqual(["root main.tf:2"]);
    expect(r.suppressed[0]?.suppression.reason).toBe("renewed");
    expect(where(r.findings)).toEqual(["exposed main.tf:3"]);
    expect(r.findings[0]?.exceptionExpired).toBeUndefined();
  });

  it("an exception without a reason is marked as such (with or without a date)", async () => {
    const r = await at(`# keywarden:ignore ${ROOT} exp:2030-01-01\n${KEY}`, "2026-12-02T00:00:00Z");
    expect(r.suppressed[0]?.suppression).toMatchObject({ reason: "", reasonMissing: true, expires: "2030-01-01" });
    const plain = await at(`# keywarden:ignore ${ROOT}\n${KEY}`, "2026-12-02T00:00:00Z");
    expect(plain.suppressed[0]?.suppression.reasonMissing).toBe(true);
    const kics = await at(`# kics-scan ignore-block\n${KEY}`, "2026-12-02T00:00:00Z");
    expect(kics.suppressed[0]?.suppression.reasonMissing).toBe(true);
    const given = await at(`# keywarden:ignore ${ROOT} because\n${KEY}`, "2026-12-02T00:00:00Z");
    expect(given.suppressed[0]?.suppression.reasonMissing).toBeUndefined();
  });

  it.each(["2026-02-30", "2026-13-01", "30-11-2026", "2026-11-3", "tomorrow", ""])(
    "an invalid date (%j) is an error naming the comment line, and suppresses nothing",
    async (date) => {
      const r = await at(`\n# keywarden:ignore ${ROOT} reason exp:${date}\n${KEY}`, "2026-12-02T00:00:00Z");
      expect(r.suppressed).toEqual([]);
      expect(where(r.findings)).toEqual(["root main.tf:3", "exposed main.tf:4"]);
      expect(r.errors).toEqual([
        {
          file: "main.tf",
          message: `line 2: invalid expiry date ${JSON.stringify(date)} in a keywarden:ignore comment (expected exp:YYYY-MM-DD); the comment suppresses nothing`,
        },
      ]);
    },
  );

  it("a leap day is a valid date", async () => {
    const r = await at(`# keywarden:ignore ${ROOT} reason exp:2028-02-29\n${KEY}`, "2028-02-28T12:00:00Z");
    expect(r.errors).toEqual([]);
    expect(r.suppressed[0]?.suppression.expires).toBe("2028-02-29");
  });
});
