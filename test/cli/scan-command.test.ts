import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sarifErrors } from "../report/sarif-schema.js";
import { tempTree as tree } from "../scan/temp-tree.js";
import {
  assertBuilt,
  COMPLIANT,
  EXPOSED_RULE,
  HIGH_ONLY,
  MEDIUM_ONLY,
  ROOT_NON_COMPLIANT,
  ROOT_RULE,
  runCli,
  runCliInTty,
} from "./run-cli.js";

 
const ANSI = /\u001b\[/;

beforeAll(() => assertBuilt());

interface JsonReport {
  findings: { ruleId: string; severity: string; file: string; line: number; resource: string; fingerprint: string }[];
  suppressed: { ruleId: string; suppression: { reason: string } }[];
  errors: { file: string; message: string }[];
  stats: { filesDiscovered: number };
}

describe("keywarden scan: exit status", () => {
  it("exits 0 on compliant code and says there is nothing to fix", async () => {
    const dir = await tree({ "main.tf": COMPLIANT });
    const r = await runCli(["scan", dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("0 findings");
  });

  it("exits 1 when a finding is at or above the default --fail-on medium", async () => {
    const dir = await tree({ "envs/prod/iam.tf": ROOT_NON_COMPLIANT, "ok.tf": COMPLIANT });
    const r = await runCli(["scan", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("envs/prod/iam.tf");
    expect(r.stdout).toMatch(/line 2 +HIGH/);
  });

  it("--fail-on decides which severities fail the run", async () => {
    const high = await tree({ "keys.tf": HIGH_ONLY });
    const medium = await tree({ "keys.tf": MEDIUM_ONLY });
    expect((await runCli(["scan", high, "--fail-on", "high"])).code).toBe(1);
    expect((await runCli(["scan", high, "--fail-on", "none"])).code).toBe(0);
    // The HIGH finding is suppressed in code: only the MEDIUM one counts.
    expect((await runCli(["scan", medium, "--fail-on", "high"])).code).toBe(0);
    expect((await runCli(["scan", medium, "--fail-on", "medium"])).code).toBe(1);
    expect((await runCli(["scan", medium])).code).toBe(1);
  });

  it("a file that does not parse is listed but does not change 0/1", async () => {
    const dir = await tree({ "broken.tf": 'resource "aws_iam_access_key" "x" {\n  user = "root"\n', "ok.tf": COMPLIANT });
    const r = await runCli(["scan", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Errors (1):");
    expect(r.stdout).toContain("broken.tf");
    const json = await runCli(["scan", dir, "--format", "json"]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as JsonReport).errors.map((e) => e.file)).toEqual(["broken.tf"]);
  });
});

describe("keywarden scan: usage errors exit 2 with one line naming the culprit", () => {
  const oneLine = (text: string) => expect(text.trimEnd().split("\n")).toHaveLength(1);

  it("unknown flag", async () => {
    const dir = await tree({ "main.tf": COMPLIANT });
    const r = await runCli(["scan", dir, "--frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    oneLine(r.stderr);
    expect(r.stderr).toContain("'--frobnicate'");
  });

  it("bad --format and --fail-on values, and a flag missing its value", async () => {
    const dir = await tree({ "main.tf": COMPLIANT });
    const format = await runCli(["scan", dir, "--format", "xml"]);
    expect(format.code).toBe(2);
    oneLine(format.stderr);
    expect(format.stderr).toContain("--format must be one of text, json, sarif, markdown (got 'xml')");
    const failOn = await runCli(["scan", dir, "--fail-on", "low"]);
    expect(failOn.code).toBe(2);
    expect(failOn.stderr).toContain("--fail-on must be one of high, medium, none (got 'low')");
    const missing = await runCli(["scan", dir, "--output"]);
    expect(missing.code).toBe(2);
    oneLine(missing.stderr);
    expect(missing.stderr).toContain("'--output' needs a value");
  });

  it("missing, nonexistent or non-directory path", async () => {
    const noPath = await runCli(["scan"]);
    expect(noPath.code).toBe(2);
    expect(noPath.stderr).toContain("missing <path>");
    const dir = await tree({ "main.tf": COMPLIANT });
    const gone = join(dir, "no-such-dir");
    const r = await runCli(["scan", gone]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    oneLine(r.stderr);
    expect(r.stderr).toBe(`keywarden scan: cannot read '${gone}': no such file or directory\n`);
    const file = await runCli(["scan", join(dir, "main.tf")]);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe(`keywarden scan: '${join(dir, "main.tf")}' is not a directory\n`);
    const under = await runCli(["scan", join(dir, "main.tf", "sub")]);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(`keywarden scan: cannot read '${join(dir, "main.tf", "sub")}': a component of the path is not a directory\n`);
  });

  it("--output that cannot be written", async () => {
    const dir = await tree({ "main.tf": ROOT_NON_COMPLIANT });
    const target = join(dir, "no-such-dir", "report.json");
    const r = await runCli(["scan", dir, "--format", "json", "--output", target]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`cannot write '${target}': no such file or directory`);
  });
});

describe("keywarden scan: formats", () => {
  it("json is exactly { findings, suppressed, errors, stats } with the seed's lines", async () => {
    const dir = await tree({ "iam.tf": ROOT_NON_COMPLIANT, "legacy/keys.tf": MEDIUM_ONLY });
    const r = await runCli(["scan", dir, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(Object.keys(report)).toEqual(["findings", "suppressed", "errors", "stats"]);
    const lines = report.findings.map((f) => `${f.file}:${f.line}:${f.ruleId}`);
    // Reading order: file, then line. The seed's first example fires at line 2 (no status: the
    // resource line) for the HIGH rule and at the `user` line (3) for the MEDIUM one.
    expect(lines).toEqual([`iam.tf:2:${ROOT_RULE}`, `iam.tf:3:${EXPOSED_RULE}`, `legacy/keys.tf:2:${EXPOSED_RULE}`]);
    expect(report.suppressed.map((s) => [s.ruleId, s.suppression.reason])).toEqual([[ROOT_RULE, "tracked in SEC-1"]]);
    expect(report.stats.filesDiscovered).toBe(2);
  });

  it("sarif validates against the official schema, with paths relative to the working directory", async () => {
    const dir = await tree({ "envs/prod/iam.tf": ROOT_NON_COMPLIANT, "legacy/keys.tf": MEDIUM_ONLY, "broken.tf": 'resource "aws_iam_access_key" "x" {\n  user = "root"\n' });
    const r = await runCli(["scan", dir, "--format", "sarif"], { cwd: join(dir, "..") });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: { ruleId: string; suppressions?: unknown[]; partialFingerprints: Record<string, string>; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
        invocations: { toolExecutionNotifications: { level: string }[] }[];
      }[];
    };
    expect(sarifErrors(log)).toEqual([]);
    expect(log.version).toBe("2.1.0");
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((rule) => rule.id).sort()).toEqual([EXPOSED_RULE, ROOT_RULE].sort());
    const base = relative(join(dir, ".."), dir);
    expect(run.results.map((res) => res.locations[0]!.physicalLocation.artifactLocation.uri)).toContain(
      `${base}/envs/prod/iam.tf`,
    );
    expect(run.results.filter((res) => res.suppressions)).toHaveLength(1);
    expect(run.results.every((res) => Object.values(res.partialFingerprints)[0]!.length > 0)).toBe(true);
    expect(run.invocations[0]!.toolExecutionNotifications.map((n) => n.level)).toContain("error");
  });

  it("markdown prints, per finding, the issue title and body Keywarden would file", async () => {
    const dir = await tree({ "iam.tf": ROOT_NON_COMPLIANT });
    const r = await runCli(["scan", dir, "--format", "markdown"], {
      env: { GITHUB_SERVER_URL: "https://ghe.example", GITHUB_REPOSITORY: "acme/infra", GITHUB_SHA: "a".repeat(40) },
    });
    expect(r.code).toBe(1);
    const issues = r.stdout.split(/^# Issue /m).slice(1);
    expect(issues).toHaveLength(2);
    for (const issue of issues) {
      expect(issue).toMatch(/<!-- keywarden:fingerprint=[0-9a-f]+ -->/);
      expect(issue).toContain("```diff");
      expect(issue).toContain(`https://ghe.example/acme/infra/blob/${"a".repeat(40)}/iam.tf#L2-L5`);
    }
  });

  it("--output writes the report to the file, not to stdout, and keeps the exit status", async () => {
    const dir = await tree({ "iam.tf": ROOT_NON_COMPLIANT });
    const out = join(dir, "report.json");
    const r = await runCli(["scan", dir, "--format", "json", "--output", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const report = JSON.parse(await readFile(out, "utf8")) as JsonReport;
    expect(report.findings).toHaveLength(2);
  });

  it("text goes uncoloured to a pipe and to --output, coloured to a terminal unless NO_COLOR is set", async () => {
    const dir = await tree({ "iam.tf": ROOT_NON_COMPLIANT });
    const piped = await runCli(["scan", dir]);
    expect(piped.stdout).toContain("HIGH");
    expect(piped.stdout).not.toMatch(ANSI);
    const out = join(dir, "report.txt");
    await runCli(["scan", dir, "--output", out]);
    expect(await readFile(out, "utf8")).not.toMatch(ANSI);
    const tty = await runCliInTty(["scan", dir]);
    expect(tty.code).toBe(1);
    expect(tty.stdout).toMatch(ANSI);
    const noColor = await runCliInTty(["scan", dir], { NO_COLOR: "1" });
    expect(noColor.stdout).toContain("HIGH");
    expect(noColor.stdout).not.toMatch(ANSI);
  });

  it("escapes hostile file names in text output", async () => {
    const hostile = "evil\u001b[2J\u001b]0;owned\u0007\rname\u202e.tf";
    const dir = await tree({ [hostile]: ROOT_NON_COMPLIANT });
    const r = await runCli(["scan", dir]);
    expect(r.code).toBe(1);
     
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(r.stdout).toContain("evil\\x1b[2J\\x1b]0;owned\\x07\\rname\\u202e.tf");
  });
});

describe("keywarden scan: local module calls and expiring exceptions", () => {
  const KEY_MODULE = `variable "user" {}\n\nresource "aws_iam_access_key" "this" {\n  user = var.user\n}\n`;

  it("follows a local module call: the finding is in the module's file, named by its call", async () => {
    const dir = await tree({
      "main.tf":
        `module "break_glass" {\n  source = "./modules/key"\n  user   = "root"\n}\n\n` +
        `module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n`,
      "modules/key/main.tf": KEY_MODULE,
    });
    const r = await runCli(["scan", dir, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport & { stats: { modulesNotFollowed: number }; findings: { message: string }[] };
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line, f.resource])).toEqual([
      [ROOT_RULE, "modules/key/main.tf", 3, "module.break_glass.aws_iam_access_key.this"],
      [EXPOSED_RULE, "modules/key/main.tf", 4, "module.break_glass.aws_iam_access_key.this"],
    ]);
    expect(report.findings[0]?.message).toContain("Reached through module.break_glass (main.tf:1).");
    expect(report.stats.modulesNotFollowed).toBe(1);
    expect(report.errors).toEqual([]);
    const text = await runCli(["scan", dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("1 module call not followed (remote or outside the scanned tree)");
    expect(text.stdout).toContain("modules/key/main.tf\n  line 3  HIGH");
  });

  it("a module whose default is root, called with another user, gives no finding", async () => {
    const dir = await tree({
      "main.tf": `module "deploy" {\n  source = "./modules/key"\n  user   = "deploy"\n}\n`,
      "modules/key/main.tf": `variable "user" {\n  default = "root"\n}\n\nresource "aws_iam_access_key" "this" {\n  user = var.user\n}\n`,
    });
    const r = await runCli(["scan", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("0 findings");
  });

  it("an exception past its exp: date no longer suppresses; one without a reason says so; a bad date is an error", async () => {
    const dir = await tree({
      "expired.tf": `# keywarden:ignore ${ROOT_RULE},${EXPOSED_RULE} break-glass exp:2000-01-01\nresource "aws_iam_access_key" "old" {\n  user = "root"\n}\n`,
      "current.tf": `# keywarden:ignore ${ROOT_RULE},${EXPOSED_RULE} exp:2999-12-31\nresource "aws_iam_access_key" "new" {\n  user = "root"\n}\n`,
      "bad.tf": `# keywarden:ignore ${ROOT_RULE},${EXPOSED_RULE} oops exp:2026-02-30\nresource "aws_iam_access_key" "bad" {\n  user = "root"\n}\n`,
    });
    const json = JSON.parse((await runCli(["scan", dir, "--format", "json", "--fail-on", "none"])).stdout) as {
      findings: { file: string; exceptionExpired?: string }[];
      suppressed: { file: string; suppression: { expires?: string; reasonMissing?: boolean } }[];
      errors: { file: string; message: string }[];
    };
    expect(json.findings.map((f) => [f.file, f.exceptionExpired])).toEqual([
      ["bad.tf", undefined],
      ["bad.tf", undefined],
      ["expired.tf", "2000-01-01"],
      ["expired.tf", "2000-01-01"],
    ]);
    expect(json.suppressed.map((s) => [s.file, s.suppression.expires, s.suppression.reasonMissing])).toEqual([
      ["current.tf", "2999-12-31", true],
      ["current.tf", "2999-12-31", true],
    ]);
    expect(json.errors).toEqual([{ file: "bad.tf", message: expect.stringMatching(/^line 1: invalid expiry date "2026-02-30"/) as string }]);
    const text = await runCli(["scan", dir, "--fail-on", "none"]);
    expect(text.stdout).toContain("no reason given: say why in the comment; expires 2999-12-31");
    expect(text.stdout).toContain("expired on 2000-01-01");
  });
});
