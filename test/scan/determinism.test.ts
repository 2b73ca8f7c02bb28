import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { fingerprint, scan } from "../../src/scan/index.js";
import { ROOT, tempTree, writeFiles } from "./temp-tree.js";

const key = (name: string): string => `resource "aws_iam_access_key" "${name}" {\n  user = "root"\n}\n`;

describe("determinism and fingerprints", () => {
  it("gives the same sorted result on every run, across several evaluation batches", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 250; i++) files[`m${(i * 7) % 50}/sub${Math.floor(i / 50)}/main.tf`] = key(`k${i}`) + key(`z${i}`);
    const root = await tempTree(files);
    const first = await scan(root);
    const second = await scan(root);
    expect(second).toEqual(first);
    expect(first.stats.modules).toBe(250);
    expect(first.findings).toHaveLength(1000);
    const rank = { HIGH: 0, MEDIUM: 1, LOW: 2, INFO: 3 };
    const order = first.findings.map((f) => [f.file, f.line, rank[f.severity], f.ruleId] as const);
    // Reading order (file, line), then the most severe first.
    const sorted = [...order].sort((a, b) =>
      a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] - b[1] || a[2] - b[2] || a[3].localeCompare(b[3]),
    );
    expect(order).toEqual(sorted);
  });

  it("is the first 32 hex characters of sha256(rule, file, resource)", () => {
    const expected = createHash("sha256").update(`${ROOT}\nenv/iam.tf\naws_iam_access_key.k`).digest("hex").slice(0, 32);
    expect(fingerprint(ROOT, "env/iam.tf", "aws_iam_access_key.k")).toBe(expected);
  });

  it("keeps a finding's fingerprint when its lines move, and changes it when the file does", async () => {
    const root = await tempTree({ "iam.tf": key("k") });
    const before = (await scan(root)).findings;
    await writeFiles(root, { "iam.tf": `# moved down\n\n\nlocals {\n  a = 1\n}\n\n${key("k")}` });
    const after = (await scan(root)).findings;
    expect(after.map((f) => f.line)).not.toEqual(before.map((f) => f.line));
    expect(after.map((f) => f.fingerprint)).toEqual(before.map((f) => f.fingerprint));
    await rename(join(root, "iam.tf"), join(root, "keys.tf"));
    const renamed = (await scan(root)).findings;
    expect(renamed.map((f) => f.fingerprint)).not.toEqual(before.map((f) => f.fingerprint));
  });
});
