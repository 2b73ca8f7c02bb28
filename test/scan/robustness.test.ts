import { describe, expect, it } from "vitest";
import { mkdir, symlink } from "node:fs/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scan } from "../../src/scan/index.js";
import { tempTree, where } from "./temp-tree.js";

const execFileAsync = promisify(execFile);

const rootKey = `resource "aws_iam_access_key" "k" {\n  user = "root"\n}\n`;

describe("hostile repository content", () => {
  it("reports a file that does not parse, with the parser's line and column, and scans the rest", async () => {
    const root = await tempTree({
      "bad.tf": `resource "aws_iam_access_key" "broken" {\n  user = \n}\n`,
      "good.tf": rootKey,
    });
    const result = await scan(root);
    expect(where(result.findings)).toEqual(["root good.tf:1", "exposed good.tf:2"]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.file).toBe("bad.tf");
    expect(result.errors[0]?.message).toMatch(/bad\.tf:2,\d+/);
  });

  it("names the file when hcl2json rejects what tree-sitter accepted, and still scans the other modules", async () => {
    const root = await tempTree({
      "a/main.tf": rootKey,
      "b/dup.tf": `resource "aws_iam_access_key" "d" {\n  user = "root"\n  user = "other"\n}\n`,
      "b/good.tf": rootKey.replace('"k"', '"g"'),
      "c/main.tf": rootKey.replace('"k"', '"c"'),
    });
    const result = await scan(root);
    expect(where(result.findings)).toEqual([
      "root a/main.tf:1",
      "exposed a/main.tf:2",
      "root b/good.tf:1",
      "exposed b/good.tf:2",
      "root c/main.tf:1",
      "exposed c/main.tf:2",
    ]);
    expect(result.errors).toEqual([{ file: "b/dup.tf", message: expect.stringMatching(/^b\/dup\.tf:3,\d+-\d+: Attribute redefined/) }]);
  });

  it("reports a malformed terraform.tfvars and evaluates with the defaults", async () => {
    const root = await tempTree({
      "main.tf": `resource "aws_iam_access_key" "k" {\n  user = var.who\n}\nvariable "who" {\n  default = "root"\n}\n`,
      "terraform.tfvars": `who = \n`,
    });
    const result = await scan(root);
    expect(where(result.findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
    expect(result.errors).toEqual([{ file: "terraform.tfvars", message: expect.stringMatching(/^terraform\.tfvars:\d+,\d+/) }]);
  });

  it("does not let a crafted .tfvars break out of the batched parse to hide another module's key", async () => {
    const forged = `who = "x"\n}\nkeywarden_module_1 {\nresource "aws_iam_access_key" "keywarden_key_0" {\n  user = "deploy"\n}\n`;
    const root = await tempTree({
      "a/main.tf": `resource "aws_iam_access_key" "a" {\n  user = var.who\n}\nvariable "who" {\n  default = "y"\n}\n`,
      "a/terraform.tfvars": forged,
      "b/main.tf": rootKey,
    });
    const result = await scan(root);
    expect(where(result.findings)).toEqual(["root b/main.tf:1", "exposed b/main.tf:2"]);
    expect(result.errors.map((e) => e.file)).toEqual(["a/terraform.tfvars"]);
  });

  it("skips files over the default 1 MiB cap", async () => {
    const root = await tempTree({ "huge.tf": rootKey + "#" + "x".repeat(1024 * 1024) + "\n" });
    const result = await scan(root);
    expect(result.findings).toEqual([]);
    expect(result.stats.skipped).toEqual([expect.objectContaining({ file: "huge.tf", reason: "too-large" })]);
    expect(result.stats.bytesRead).toBe(0);
  });

  it("skips and reports files over the size cap without reading them", async () => {
    const big = rootKey + "# " + "x".repeat(4096) + "\n";
    const root = await tempTree({ "big.tf": big, "small.tf": rootKey.replace('"k"', '"s"') });
    const result = await scan(root, { maxFileBytes: 1024 });
    expect(where(result.findings)).toEqual(["root small.tf:1", "exposed small.tf:2"]);
    expect(result.stats.skipped).toEqual([expect.objectContaining({ file: "big.tf", reason: "too-large" })]);
    // Only small.tf was read.
    expect(result.stats.bytesRead).toBe(Buffer.byteLength(rootKey.replace('"k"', '"s"')));
  });

  it("skips and reports binary and non-UTF-8 files", async () => {
    const root = await tempTree({
      "binary.tf": Buffer.concat([Buffer.from(rootKey), Buffer.from([0, 1, 2, 0])]),
      "latin1.tf": Buffer.concat([Buffer.from(rootKey), Buffer.from("# caf\xe9\n", "latin1")]),
    });
    const result = await scan(root);
    expect(result.findings).toEqual([]);
    expect(result.stats.skipped.map((s) => [s.file, s.reason])).toEqual([
      ["binary.tf", "binary"],
      ["latin1.tf", "not-utf8"],
    ]);
  });

  it("never follows a symlink, even one pointing outside the root, and reports it", async () => {
    const outside = await tempTree({ "secret/main.tf": rootKey });
    const root = await tempTree({ "ok.tf": "# nothing here\n" });
    await symlink(join(outside, "secret", "main.tf"), join(root, "linked.tf"));
    await symlink(join(outside, "secret"), join(root, "linked-dir"));
    const result = await scan(root);
    expect(result.findings).toEqual([]);
    expect(result.stats.skipped.map((s) => [s.file, s.reason])).toEqual([
      ["linked-dir", "symlink"],
      ["linked.tf", "symlink"],
    ]);
  });

  it("terminates on a directory symlink loop", async () => {
    const root = await tempTree({ "a/main.tf": rootKey });
    await symlink("..", join(root, "a", "loop"));
    await symlink(join(root, "a"), join(root, "a", "self"));
    const result = await scan(root);
    expect(where(result.findings)).toEqual(["root a/main.tf:1", "exposed a/main.tf:2"]);
    expect(result.stats.skipped.map((s) => s.file)).toEqual(["a/loop", "a/self"]);
  });

  it("never scans .git or .terraform, and honours ignorePaths", async () => {
    const root = await tempTree({
      ".git/x.tf": rootKey,
      ".terraform/modules/m/main.tf": rootKey,
      "vendor/main.tf": rootKey,
      "live/main.tf": rootKey,
    });
    const result = await scan(root, { ignorePaths: ["vendor/**"] });
    expect(where(result.findings)).toEqual(["root live/main.tf:1", "exposed live/main.tf:2"]);
    expect(result.stats.skipped).toEqual([expect.objectContaining({ file: "vendor", reason: "ignored" })]);
  });

  it("reports a FIFO named like Terraform as unreadable instead of blocking on it", async () => {
    const root = await tempTree({ "ok.tf": rootKey });
    await execFileAsync("mkfifo", [join(root, "pipe.tf")]);
    const result = await scan(root);
    expect(where(result.findings)).toEqual(["root ok.tf:1", "exposed ok.tf:2"]);
    expect(result.stats.skipped).toEqual([expect.objectContaining({ file: "pipe.tf", reason: "unreadable" })]);
  });

  it("gives exact lines with CRLF line endings and a BOM", async () => {
    const text = "\ufeff# header\r\n\r\nresource \"aws_iam_access_key\" \"k\" {\r\n  user   = \"root\"\r\n  status = \"Active\"\r\n}\r\n";
    const root = await tempTree({ "main.tf": text });
    const result = await scan(root);
    expect(where(result.findings)).toEqual(["exposed main.tf:4", "root main.tf:5"]);
    expect(result.findings[0]?.snippet).toBe('resource "aws_iam_access_key" "k" {\n  user   = "root"\n  status = "Active"\n}\n');
    expect(result.findings[0]?.block).toEqual({ startLine: 3, endLine: 6 });
  });

  it("is not fooled by resource text in comments, heredocs and strings", async () => {
    const result = await scan(fileURLToPath(new URL("../fixtures/scan/decoys", import.meta.url)));
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => `${f.ruleId} ${f.resource}:${f.line}`)).toEqual([
      "terraform-aws-root-account-has-active-access-keys aws_iam_access_key.real:23",
      "terraform-aws-iam-access-key-is-exposed aws_iam_access_key.real:25",
    ]);
    expect(result.findings[0]?.block).toEqual({ startLine: 23, endLine: 27 });
  });

  it("does not parse files or directories that cannot produce a finding", async () => {
    const root = await tempTree({
      "net/main.tf": `resource "aws_vpc" "v" {\n  cidr_block = \n}\n`, // broken, but never parsed
      "net/vars.tf": `variable "x" {}\n`,
      "iam/main.tf": rootKey,
      "iam/other.tf": `resource "aws_s3_bucket" "b" {}\n`,
    });
    const result = await scan(root);
    expect(result.errors).toEqual([]);
    expect(result.stats.filesDiscovered).toBe(4);
    expect(result.stats.modules).toBe(2);
    expect(result.stats.filesParsed).toBe(1);
  });

  it("parses, of a key's module, only the files that define a name the key needs", async () => {
    const root = await tempTree({
      "main.tf": `resource "aws_iam_access_key" "k" {\n  user = local.owner\n}\n`,
      "locals.tf": `locals {\n  owner = var.who\n}\n`,
      "variables.tf": `variable "who" {\n  default = "root"\n}\n`,
      // Broken, but defines nothing the key needs: never parsed, so no error.
      "unrelated.tf": `variable "region" {\n  default = \n}\n`,
    });
    const result = await scan(root);
    expect(where(result.findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
    expect(result.errors).toEqual([]);
    expect(result.stats.filesParsed).toBe(3);
  });

  it("rejects a root that is not a directory", async () => {
    const root = await tempTree({ "main.tf": rootKey });
    await expect(scan(join(root, "main.tf"))).rejects.toThrow(/not a directory/);
    await expect(scan(join(root, "missing"))).rejects.toThrow(/ENOENT/);
  });

  it("handles an empty tree", async () => {
    const root = await tempTree();
    await mkdir(join(root, "empty"));
    const result = await scan(root);
    expect(result).toEqual({
      findings: [],
      suppressed: [],
      errors: [],
      stats: { filesDiscovered: 0, filesParsed: 0, bytesRead: 0, modules: 0, modulesNotFollowed: 0, skipped: [] },
    });
  });
});
