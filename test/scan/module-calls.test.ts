import { describe, expect, it } from "vitest";
import { scan } from "../../src/scan/index.js";
import { fingerprint } from "../../src/domain/fingerprint.js";
import type { Finding } from "../../src/domain/types.js";
import { EXPOSED, ROOT, tempTree } from "./temp-tree.js";

/** A module whose key takes its user (and status) from variables. */
const KEY_MODULE = `variable "user" {}

variable "status" {
  default = "Active"
}

resource "aws_iam_access_key" "this" {
  user   = var.user
  status = var.status
}
`;

/** `ruleId file:line resource`, for findings reached through calls. */
function at(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId === ROOT ? "root" : f.ruleId === EXPOSED ? "exposed" : f.ruleId} ${f.file}:${f.line} ${f.resource}`);
}

describe("local module calls", () => {
  it("a literal input reaches the module's variable: found in the module's file, at the resource's lines", async () => {
    const root = await tempTree({
      "main.tf": `module "break_glass" {\n  source = "./modules/key"\n  user   = "root"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await scan(root);
    expect(at(r.findings)).toEqual([
      "exposed modules/key/main.tf:8 module.break_glass.aws_iam_access_key.this",
      "root modules/key/main.tf:9 module.break_glass.aws_iam_access_key.this",
    ]);
    const f = r.findings[0] as Finding;
    expect(f.block).toEqual({ startLine: 7, endLine: 10 });
    expect(f.message).toContain("module.break_glass (main.tf:1)");
    expect(f.modulePath).toBe("module.break_glass");
    expect(f.moduleCalls).toEqual([{ name: "break_glass", file: "main.tf", line: 1 }]);
    // The module path is part of the identity; a root module's stays rule, file, address.
    expect(f.fingerprint).toBe(fingerprint(EXPOSED, "modules/key/main.tf", ".//module.break_glass.aws_iam_access_key.this"));
    expect(r.errors).toEqual([]);
    expect(r.stats.modulesNotFollowed).toBe(0);
  });

  it("a root module's fingerprint is exactly as before (rule, file, address)", async () => {
    const root = await tempTree({ "main.tf": `resource "aws_iam_access_key" "k" {\n  user = "root"\n}\n` });
    const r = await scan(root);
    expect(r.findings.map((f) => f.fingerprint)).toEqual([
      fingerprint(ROOT, "main.tf", "aws_iam_access_key.k"),
      fingerprint(EXPOSED, "main.tf", "aws_iam_access_key.k"),
    ]);
    expect(r.findings.every((f) => f.modulePath === undefined)).toBe(true);
  });

  it("a default overridden by the call: no finding invented from the default", async () => {
    const root = await tempTree({
      "main.tf": `module "deploy" {\n  source = "./modules/key"\n  user   = "deploy"\n}\n`,
      "modules/key/main.tf": `variable "user" {\n  default = "root"\n}\n\nresource "aws_iam_access_key" "this" {\n  user = var.user\n}\n`,
    });
    const r = await scan(root);
    expect(r.findings).toEqual([]);
  });

  it("a default fills what the call omits", async () => {
    const root = await tempTree({
      "main.tf": `module "k" {\n  source = "./modules/key"\n}\n`,
      "modules/key/main.tf": `variable "user" {\n  default = "root"\n}\n\nresource "aws_iam_access_key" "this" {\n  user = var.user\n}\n`,
    });
    const r = await scan(root);
    expect(at(r.findings)).toEqual([
      "root modules/key/main.tf:5 module.k.aws_iam_access_key.this",
      "exposed modules/key/main.tf:6 module.k.aws_iam_access_key.this",
    ]);
  });

  it("status passed in: Inactive through the call is compliant, Active is not", async () => {
    const root = await tempTree({
      "main.tf":
        `module "off" {\n  source = "./modules/key"\n  user   = "root"\n  status = "Inactive"\n}\n\n` +
        `module "on" {\n  source = "./modules/key"\n  user   = "root"\n  status = "Active"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await scan(root);
    expect(at(r.findings)).toEqual([
      "exposed modules/key/main.tf:8 module.on.aws_iam_access_key.this",
      "root modules/key/main.tf:9 module.on.aws_iam_access_key.this",
    ]);
  });

  it("the caller's var.* with its tfvars, local.* and interpolations go through the call", async () => {
    const root = await tempTree({
      "main.tf":
        `variable "who" {\n  default = "deploy"\n}\n\nlocals {\n  admin = "ro\${"o"}t"\n}\n\n` +
        `module "from_tfvars" {\n  source = "./modules/key"\n  user   = var.who\n}\n\n` +
        `module "from_local" {\n  source = "./modules/key"\n  user   = "\${local.admin}"\n}\n`,
      "terraform.tfvars": `who = "root"\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await scan(root);
    expect(at(r.findings.filter((f) => f.ruleId === EXPOSED))).toEqual([
      "exposed modules/key/main.tf:8 module.from_local.aws_iam_access_key.this",
      "exposed modules/key/main.tf:8 module.from_tfvars.aws_iam_access_key.this",
    ]);
  });

  it("a called module's own tfvars are not read (as in Terraform)", async () => {
    const root = await tempTree({
      "main.tf": `module "k" {\n  source = "./modules/key"\n  user   = "deploy"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
      "modules/key/terraform.tfvars": `user = "root"\n`,
    });
    expect((await scan(root)).findings).toEqual([]);
  });

  it("nested calls: the value flows through each call, and the message names the chain", async () => {
    const root = await tempTree({
      "envs/prod/main.tf": `module "account" {\n  source = "../../modules/account"\n  admin  = "root"\n}\n`,
      "modules/account/main.tf": `variable "admin" {}\n\nmodule "key" {\n  source = "../key"\n  user   = var.admin\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await scan(root);
    expect(at(r.findings)).toEqual([
      "exposed modules/key/main.tf:8 module.account.module.key.aws_iam_access_key.this",
      "root modules/key/main.tf:9 module.account.module.key.aws_iam_access_key.this",
    ]);
    expect(r.findings[0]?.message).toContain("module.account (envs/prod/main.tf:1) → module.key (modules/account/main.tf:3)");
    expect(r.findings[0]?.fingerprint).toBe(
      fingerprint(EXPOSED, "modules/key/main.tf", "envs/prod//module.account.module.key.aws_iam_access_key.this"),
    );
  });

  it("count = 0 or an empty for_each on the call removes it", async () => {
    const root = await tempTree({
      "main.tf":
        `module "zero" {\n  source = "./modules/key"\n  count  = 0\n  user   = "root"\n}\n\n` +
        `module "empty" {\n  source   = "./modules/key"\n  for_each = {}\n  user     = "root"\n}\n\n` +
        `module "none" {\n  source   = "./modules/key"\n  for_each = toset([])\n  user     = "root"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await scan(root);
    expect(r.findings).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it("a module called twice gives two findings per rule, with different fingerprints", async () => {
    const root = await tempTree({
      "main.tf":
        `module "a" {\n  source = "./modules/key"\n  user   = "root"\n}\n\n` + `module "b" {\n  source = "./modules/key/"\n  user   = "root"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await scan(root);
    expect(at(r.findings.filter((f) => f.ruleId === ROOT))).toEqual([
      "root modules/key/main.tf:9 module.a.aws_iam_access_key.this",
      "root modules/key/main.tf:9 module.b.aws_iam_access_key.this",
    ]);
    expect(new Set(r.findings.map((f) => f.fingerprint)).size).toBe(4);
  });

  it("two root modules calling one module are two findings too", async () => {
    const call = `module "key" {\n  source = "../../modules/key"\n  user   = "root"\n}\n`;
    const root = await tempTree({ "envs/prod/main.tf": call, "envs/dev/main.tf": call, "modules/key/main.tf": KEY_MODULE });
    const r = await scan(root);
    expect(r.findings.filter((f) => f.ruleId === ROOT)).toHaveLength(2);
    expect(new Set(r.findings.map((f) => f.fingerprint)).size).toBe(4);
  });

  it("a remote source beside a direct finding: counted as not followed, never an error", async () => {
    const root = await tempTree({
      "main.tf":
        `module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n\n` +
        `module "git" {\n  source = "git::https://example.com/mods.git//key?ref=v1"\n}\n\n` +
        `resource "aws_iam_access_key" "k" {\n  user = "root"\n}\n`,
    });
    const r = await scan(root);
    expect(at(r.findings)).toEqual(["root main.tf:10 aws_iam_access_key.k", "exposed main.tf:11 aws_iam_access_key.k"]);
    expect(r.findings[0]?.fingerprint).toBe(fingerprint(ROOT, "main.tf", "aws_iam_access_key.k"));
    expect(r.errors).toEqual([]);
    expect(r.stats.modulesNotFollowed).toBe(2);
  });

  it("a cycle of calls is reported once at the call that closes it, and scanning ends", async () => {
    const root = await tempTree({
      "main.tf": `module "a" {\n  source = "./a"\n  user   = "root"\n}\n`,
      "a/main.tf": `variable "user" {}\n\nmodule "b" {\n  source = "../b"\n  user   = var.user\n}\n`,
      "b/main.tf": `variable "user" {}\n\nmodule "a" {\n  source = "../a"\n  user   = var.user\n}\n\nresource "aws_iam_access_key" "this" {\n  user = var.user\n}\n`,
    });
    const r = await scan(root);
    expect(at(r.findings.filter((f) => f.ruleId === ROOT))).toEqual(["root b/main.tf:8 module.a.module.b.aws_iam_access_key.this"]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.file).toBe("b/main.tf");
    expect(r.errors[0]?.message).toMatch(/^line 3: module "a" calls \.\.\/a, which is already in its chain of calls/);
  });

  it("a source outside the scanned root is not followed (nor read), and counts as not followed", async () => {
    const root = await tempTree({
      "live/main.tf": `module "k" {\n  source = "../modules/key"\n  user   = "root"\n}\n\nmodule "gone" {\n  source = "./missing"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await scan(`${root}/live`);
    expect(r.findings).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.stats.modulesNotFollowed).toBe(2);
    expect(r.stats.filesDiscovered).toBe(1);
  });

  it("calls in Terraform JSON are followed too", async () => {
    const root = await tempTree({
      "main.tf.json": JSON.stringify({ module: { k: { source: "./modules/key", user: "root" } } }, null, 2),
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await scan(root);
    expect(at(r.findings.filter((f) => f.ruleId === ROOT))).toEqual(["root modules/key/main.tf:9 module.k.aws_iam_access_key.this"]);
    expect(r.findings[0]?.moduleCalls).toEqual([{ name: "k", file: "main.tf.json", line: 3 }]);
  });

  it("an empty collection from a variable in for_each removes the call", async () => {
    const root = await tempTree({
      "main.tf": `variable "keys" {\n  default = []\n}\n\nmodule "k" {\n  source   = "./modules/key"\n  for_each = var.keys\n  user     = "root"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    expect((await scan(root)).findings).toEqual([]);
  });

  it("modules that only call each other (no root reaches them) stay root modules: nothing is dropped", async () => {
    const root = await tempTree({
      "a/main.tf": `module "b" {\n  source = "../b"\n}\n\nresource "aws_iam_access_key" "this" {\n  user = "root"\n}\n`,
      "b/main.tf": `module "a" {\n  source = "../a"\n}\n`,
    });
    const r = await scan(root);
    expect(at(r.findings)).toEqual(["root a/main.tf:5 aws_iam_access_key.this", "exposed a/main.tf:6 aws_iam_access_key.this"]);
  });

  it("a directory nobody calls is a root module, as before; one that is called is evaluated only through its calls", async () => {
    const root = await tempTree({
      "main.tf": `module "k" {\n  source = "./called"\n  user   = "deploy"\n}\n`,
      "called/main.tf": `variable "user" {\n  default = "root"\n}\n\nresource "aws_iam_access_key" "this" {\n  user = var.user\n}\n`,
      "alone/main.tf": `variable "user" {\n  default = "root"\n}\n\nresource "aws_iam_access_key" "this" {\n  user = var.user\n}\n`,
    });
    const r = await scan(root);
    expect(at(r.findings)).toEqual(["root alone/main.tf:5 aws_iam_access_key.this", "exposed alone/main.tf:6 aws_iam_access_key.this"]);
  });

  it("the module's suppression comments apply to findings reached through calls", async () => {
    const root = await tempTree({
      "main.tf": `module "k" {\n  source = "./modules/key"\n  user   = "root"\n}\n`,
      "modules/key/main.tf": `variable "user" {}\n\n# keywarden:ignore ${ROOT},${EXPOSED} break-glass\nresource "aws_iam_access_key" "this" {\n  user = var.user\n}\n`,
    });
    const r = await scan(root);
    expect(r.findings).toEqual([]);
    expect(r.suppressed.map((s) => s.resource)).toEqual(["module.k.aws_iam_access_key.this", "module.k.aws_iam_access_key.this"]);
  });

  it("gives the same result with and without the plain-values fast path", async () => {
    const root = await tempTree({
      "main.tf": `module "k" {\n  source = "./modules/key"\n  user   = "root"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    expect(await scan(root, { plainValues: false })).toEqual(await scan(root));
  });
});
