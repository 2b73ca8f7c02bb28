import { describe, expect, it } from "vitest";
import { scan } from "../../src/scan/index.js";
import { EXPOSED, ROOT, tempTree, where } from "./temp-tree.js";

const body = `  user = "root"\n`;

async function run(text: string) {
  const root = await tempTree({ "main.tf": text });
  const result = await scan(root);
  return { found: where(result.findings), suppressed: result.suppressed };
}

describe("suppression comments", () => {
  it("an own-line keywarden comment above the header covers the whole block, with its reason", async () => {
    const { found, suppressed } = await run(
      `# keywarden:ignore ${ROOT},${EXPOSED} break-glass key, rotated monthly\nresource "aws_iam_access_key" "k" {\n${body}}\n`,
    );
    expect(found).toEqual([]);
    expect(where(suppressed)).toEqual(["root main.tf:2", "exposed main.tf:3"]);
    expect(suppressed[0]?.suppression).toEqual({
      source: "keywarden",
      line: 1,
      reason: "break-glass key, rotated monthly",
      comment: `# keywarden:ignore ${ROOT},${EXPOSED} break-glass key, rotated monthly`,
    });
  });

  it("a trailing comment on the header covers the block; // works too; other rules are untouched", async () => {
    const { found, suppressed } = await run(`resource "aws_iam_access_key" "k" { // keywarden:ignore ${ROOT}\n${body}}\n`);
    expect(found).toEqual(["exposed main.tf:2"]);
    expect(where(suppressed)).toEqual(["root main.tf:1"]);
    expect(suppressed[0]?.suppression.reason).toBe("");
  });

  it("a trailing comment on an attribute covers only that line", async () => {
    const { found, suppressed } = await run(
      `resource "aws_iam_access_key" "k" {\n  user = "root" # keywarden:ignore ${EXPOSED},${ROOT} known\n  status = "Active"\n}\n`,
    );
    expect(found).toEqual(["root main.tf:3"]);
    expect(where(suppressed)).toEqual(["exposed main.tf:2"]);
  });

  it("an own-line comment inside the block applies to the next code line", async () => {
    const { found, suppressed } = await run(
      `resource "aws_iam_access_key" "k" {\n  # keywarden:ignore ${EXPOSED} legacy\n\n  user = "root"\n}\n`,
    );
    expect(found).toEqual(["root main.tf:1"]);
    expect(where(suppressed)).toEqual(["exposed main.tf:4"]);
  });

  it("reads a multi-line /* */ comment above a block as an own-line comment", async () => {
    const { found, suppressed } = await run(
      `/* keywarden:ignore ${EXPOSED} owned by the break-glass process\n   see RUNBOOK.md */\nresource "aws_iam_access_key" "k" {\n${body}}\n`,
    );
    expect(found).toEqual(["root main.tf:3"]);
    expect(where(suppressed)).toEqual(["exposed main.tf:4"]);
    expect(suppressed[0]?.suppression.line).toBe(1);
    expect(suppressed[0]?.suppression.reason).toBe("owned by the break-glass process see RUNBOOK.md");
  });

  it("does nothing for another rule id", async () => {
    const { found, suppressed } = await run(`# keywarden:ignore some-other-rule\nresource "aws_iam_access_key" "k" {\n${body}}\n`);
    expect(found).toEqual(["root main.tf:2", "exposed main.tf:3"]);
    expect(suppressed).toEqual([]);
  });

  it.each(["kics-scan", "dd-iac-scan"])("honours %s ignore-line", async (prefix) => {
    const { found, suppressed } = await run(`resource "aws_iam_access_key" "k" {\n  # ${prefix} ignore-line\n${body}}\n`);
    expect(found).toEqual(["root main.tf:1"]);
    expect(where(suppressed)).toEqual(["exposed main.tf:3"]);
    expect(suppressed[0]?.suppression.source).toBe(prefix === "kics-scan" ? "kics" : "dd-iac-scan");
  });

  it("applies a trailing ignore-line to its own line", async () => {
    const { found, suppressed } = await run(`resource "aws_iam_access_key" "k" {\n  user = "root" # kics-scan ignore-line\n}\n`);
    expect(found).toEqual(["root main.tf:1"]);
    expect(where(suppressed)).toEqual(["exposed main.tf:2"]);
  });

  it.each(["kics-scan", "dd-iac-scan"])("honours %s ignore-block", async (prefix) => {
    const { found, suppressed } = await run(`# ${prefix} ignore-block\nresource "aws_iam_access_key" "k" {\n${body}}\n`);
    expect(found).toEqual([]);
    expect(where(suppressed)).toEqual(["root main.tf:2", "exposed main.tf:3"]);
  });

  it.each(["kics-scan", "dd-iac-scan"])("honours %s ignore at the top of a file", async (prefix) => {
    const { found, suppressed } = await run(`# ${prefix} ignore\n\nresource "aws_iam_access_key" "k" {\n${body}}\n`);
    expect(found).toEqual([]);
    expect(suppressed).toHaveLength(2);
  });

  it("ignores a file-level ignore that is not at the top", async () => {
    const { found } = await run(`resource "aws_iam_access_key" "k" {\n${body}}\n# kics-scan ignore\n`);
    expect(found).toEqual(["root main.tf:1", "exposed main.tf:2"]);
  });

  it("honours disable= with our rule id or the KICS query id", async () => {
    const ours = await run(`# dd-iac-scan disable=${ROOT}\nresource "aws_iam_access_key" "k" {\n${body}}\n`);
    expect(ours.found).toEqual(["exposed main.tf:3"]);
    const kicsId = await run(`# kics-scan disable=7081f85c-b94d-40fd-8b45-a4f1cac75e46\nresource "aws_iam_access_key" "k" {\n${body}}\n`);
    expect(kicsId.found).toEqual(["root main.tf:2"]);
  });

  it("is not fooled by suppression text inside strings or heredocs", async () => {
    const { found, suppressed } = await run(
      `resource "aws_iam_access_key" "k" {\n  user = "root"\n  pgp_key = <<EOT\n# keywarden:ignore ${ROOT}\nEOT\n  tags = { note = "# kics-scan ignore-line" }\n}\n`,
    );
    expect(found).toEqual(["root main.tf:1", "exposed main.tf:2"]);
    expect(suppressed).toEqual([]);
  });
});
