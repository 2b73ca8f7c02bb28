import { describe, expect, it } from "vitest";
import { scan } from "../../src/scan/index.js";
import { tempTree, where } from "./temp-tree.js";

const key = (user: string, extra = ""): string => `resource "aws_iam_access_key" "k" {\n  user = ${user}\n${extra}}\n`;

describe("evaluation of values", () => {
  it("uses a string literal as is", async () => {
    const root = await tempTree({ "main.tf": key(`"root"`) });
    expect(where((await scan(root)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
  });

  it("resolves var.X to its default", async () => {
    const root = await tempTree({
      "main.tf": key("var.who"),
      "variables.tf": `variable "who" {\n  default = "root"\n}\n`,
    });
    expect(where((await scan(root)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
  });

  it("lets terraform.tfvars override the default, and *.auto.tfvars override that in lexical order", async () => {
    const vars = `variable "who" {\n  default = "deploy"\n}\n`;
    const onlyTfvars = await tempTree({ "main.tf": key("var.who") + vars, "terraform.tfvars": `who = "root"\n` });
    expect(where((await scan(onlyTfvars)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);

    const autoWins = await tempTree({
      "main.tf": key("var.who") + vars,
      "terraform.tfvars": `who = "root"\n`,
      "a.auto.tfvars": `who = "root-admin"\n`,
      "b.auto.tfvars.json": `{"who": "deploy"}\n`,
    });
    expect((await scan(autoWins)).findings).toEqual([]);

    const lastAutoWins = await tempTree({
      "main.tf": key("var.who") + vars,
      "a.auto.tfvars": `who = "deploy"\n`,
      "b.auto.tfvars": `who = "ROOT"\n`,
    });
    expect(where((await scan(lastAutoWins)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
  });

  it("ignores *.tfvars files Terraform does not load by itself", async () => {
    const root = await tempTree({
      "main.tf": key("var.who") + `variable "who" {\n  default = "deploy"\n}\n`,
      "prod.tfvars": `who = "root"\n`,
    });
    expect((await scan(root)).findings).toEqual([]);
  });

  it("resolves local.X, through other locals and variables", async () => {
    const root = await tempTree({
      "main.tf": key("local.owner"),
      "locals.tf": `locals {\n  owner = local.base\n  base  = "\${var.prefix}-root"\n}\nvariable "prefix" {\n  default = "acct"\n}\n`,
    });
    const result = await scan(root);
    expect(where(result.findings)).toEqual(["root main.tf:1"]);
    expect(result.findings[0]?.message).toContain('"acct-root"');
  });

  it("resolves an interpolation-only template", async () => {
    const root = await tempTree({
      "main.tf": key(`"\${var.who}"`, `  status = "\${var.state}"\n`) +
        `variable "who" {\n  default = "root"\n}\nvariable "state" {\n  default = "Inactive"\n}\n`,
    });
    expect((await scan(root)).findings).toEqual([]);
  });

  it("resolves aws_iam_user.NAME.name to that user's name", async () => {
    const named = (name: string): Promise<string> =>
      tempTree({ "main.tf": key("aws_iam_user.u.name"), "users.tf": `resource "aws_iam_user" "u" {\n  name = "${name}"\n}\n` });
    expect(where((await scan(await named("root"))).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
    expect((await scan(await named("deploy"))).findings).toEqual([]);
  });

  it("keeps the source text of a reference it cannot resolve, as KICS does", async () => {
    const root = await tempTree({ "main.tf": key("aws_iam_user.root.name") });
    const result = await scan(root);
    // contains "root" → root-account fires; not equal to "root" → exposed does not.
    expect(where(result.findings)).toEqual(["root main.tf:1"]);
    expect(result.findings[0]?.message).toContain("aws_iam_user.root.name");
  });

  it("counts a status it cannot resolve as absent", async () => {
    const root = await tempTree({ "main.tf": key(`"root"`, "  status = var.missing\n") });
    expect(where((await scan(root)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
  });

  it("counts a null status (Terraform's unset) as absent, also through a variable", async () => {
    const literal = await tempTree({ "main.tf": key(`"root"`, "  status = null\n") });
    expect(where((await scan(literal)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
    const viaVar = await tempTree({
      "main.tf": key(`"root"`, "  status = var.s\n") + `variable "s" {\n  default = null\n}\n`,
    });
    expect(where((await scan(viaVar)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
  });

  it("compares status in any case", async () => {
    const active = await tempTree({ "main.tf": key(`"root"`, `  status = "ACTIVE"\n`) });
    expect(where((await scan(active)).findings)).toEqual(["exposed main.tf:2", "root main.tf:3"]);
    const inactive = await tempTree({ "main.tf": key(`"Root"`, `  status = "inactive"\n`) });
    expect((await scan(inactive)).findings).toEqual([]);
  });

  it("reads a heredoc as its text: the final newline is not part of a user name or a status", async () => {
    const user = await tempTree({ "main.tf": key("<<EOT\nROOT\nEOT") });
    expect(where((await scan(user)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
    const indented = await tempTree({ "main.tf": key("<<-EOT\n    root\n  EOT", "  status = <<EOT\nActive\nEOT\n") });
    expect(where((await scan(indented)).findings)).toEqual(["exposed main.tf:2", "root main.tf:5"]);
    const inactive = await tempTree({ "main.tf": key("<<EOT\nroot\nEOT", "  status = <<EOT\nInactive\nEOT\n") });
    expect((await scan(inactive)).findings).toEqual([]);
  });

  it("treats count = 0 (literal or resolved) as no resource", async () => {
    const literal = await tempTree({ "main.tf": key(`"root"`, "  count = 0\n") });
    expect((await scan(literal)).findings).toEqual([]);
    const resolved = await tempTree({
      "main.tf": key(`"root"`, "  count = var.n\n") + `variable "n" {\n  default = 1\n}\n`,
      "terraform.tfvars": "n = 0\n",
    });
    expect((await scan(resolved)).findings).toEqual([]);
    const one = await tempTree({ "main.tf": key(`"root"`, "  count = 1\n") });
    expect(where((await scan(one)).findings)).toEqual(["root main.tf:1", "exposed main.tf:2"]);
  });

  it("scopes variables to their own module directory", async () => {
    const root = await tempTree({
      "a/main.tf": key("var.who"),
      "b/variables.tf": `variable "who" {\n  default = "root"\n}\n`,
    });
    // In module a, var.who is undeclared: its text "var.who" contains no "root".
    expect((await scan(root)).findings).toEqual([]);
  });
});
