import { describe, expect, it } from "vitest";
import { formatText } from "../../src/report/text.js";
import { escapeForTerminal, wantsColor } from "../../src/report/terminal-text.js";
import { finding, scanResult } from "./sample-findings.js";

const ESC = "\u001b";

describe("formatText", () => {
  it("groups findings by file, in file then line order, with severity, rule and fix", () => {
    const out = formatText(scanResult(), { color: false, root: "infra" });
    const lines = out.split("\n");
    const aTf = lines.indexOf("a.tf");
    const iamTf = lines.indexOf("envs/prod/iam.tf");
    expect(aTf).toBeGreaterThan(-1);
    expect(iamTf).toBeGreaterThan(aTf);
    // Within envs/prod/iam.tf: line 2 (HIGH) before line 7 (MEDIUM).
    const line2 = lines.findIndex((l) => l.startsWith("  line 2 "));
    const line7 = lines.findIndex((l) => l.startsWith("  line 7 "));
    expect(line2).toBeGreaterThan(iamTf);
    expect(line7).toBeGreaterThan(line2);
    expect(lines[line2]).toContain("HIGH");
    expect(lines[line2]).toContain("[terraform-aws-root-account-has-active-access-keys]");
    expect(lines[line7]).toContain("MEDIUM");
    expect(lines[line2 + 1]).toBe('    aws_iam_access_key.deploy belongs to user "root" and its status is absent (Active).');
    // What to do: the fix's hunk, without the ---/+++ file header.
    expect(lines.slice(line2 + 2, line2 + 8)).toEqual([
      "    Fix:",
      "      @@ -1,3 +1,4 @@",
      '       resource "aws_iam_access_key" "deploy" {',
      '         user = "root"',
      '      +  status = "Inactive"',
      "       }",
    ]);
  });

  it("names the resource when the message does not, falls back to the remediation without a diff, links the docs", () => {
    const out = formatText(
      scanResult({ findings: [finding({ message: "Root key is active.", fix: "" })], suppressed: [], errors: [] }),
      { color: false, docsUrl: (id) => `https://docs.example/${id}` },
    );
    const lines = out.split("\n");
    const at = lines.indexOf("    aws_iam_access_key.deploy: Root key is active.");
    expect(at).toBeGreaterThan(-1);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      "    Fix:",
      '      Set status = "Inactive", or remove the key.',
      "    See: https://docs.example/terraform-aws-root-account-has-active-access-keys",
    ]);
  });

  it("lists suppressed findings with their comment and reason, errors and skipped files", () => {
    const out = formatText(scanResult(), { color: false });
    expect(out).toContain("Suppressed (1):");
    expect(out).toContain("legacy/keys.tf:5");
    expect(out).toContain("reason: break-glass key, rotated monthly");
    expect(out).toContain("Errors (1):\n  broken/main.tf: Unclosed configuration block at line 3");
    expect(out).toContain("Skipped (1):\n  huge/generated.tf: too-large (2.0 MiB > 1 MiB)");
    expect(out.trimEnd().split("\n").at(-1)).toBe(
      "3 findings (2 high, 1 medium), 1 suppressed, 1 error, 1 skipped file",
    );
  });

  it("says so plainly when there is nothing to report", () => {
    const out = formatText(
      scanResult({ findings: [], suppressed: [], errors: [], stats: { filesDiscovered: 1, filesParsed: 0, bytesRead: 10, modules: 1, skipped: [] } }),
      { color: false },
    );
    expect(out.trimEnd().split("\n").at(-1)).toBe("0 findings, 0 suppressed, 0 errors, 0 skipped files");
    expect(out).not.toContain("Suppressed");
  });

  it("uses ANSI colour only when asked", () => {
    expect(formatText(scanResult(), { color: false })).not.toContain(ESC);
    const colored = formatText(scanResult(), { color: true });
    expect(colored).toContain(`${ESC}[31m`); // HIGH in red
    expect(colored).toContain(`${ESC}[32m      +  status = "Inactive"`); // added lines in green
  });

  it("never lets a hostile file name or message drive the terminal", () => {
    const hostile = `evil${ESC}[2J${ESC}]0;pwned\u0007\rline\u202egnp.tf`;
    const out = formatText(
      scanResult({
        findings: [finding({ file: hostile, message: `x\n${ESC}[31mfake`, resource: "aws_iam_access_key.a\u0000b" })],
        suppressed: [],
        errors: [{ file: `bad${ESC}.tf`, message: `boom\r` }],
        stats: { filesDiscovered: 1, filesParsed: 1, bytesRead: 1, modules: 1, skipped: [{ file: `s\u009b.tf`, reason: "binary" }] },
      }),
      { color: false, root: `r${ESC}` },
    );
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain("evil\\x1b[2J\\x1b]0;pwned\\x07\\rline\\u202egnp.tf");
    expect(out).toContain("bad\\x1b.tf: boom\\r");
    expect(out).toContain("s\\x9b.tf: binary");
    // Multi-line messages stay on their own indented lines, escaped.
    expect(out).toContain("    aws_iam_access_key.a\\x00b: x\n    \\x1b[31mfake");
  });
});

describe("escapeForTerminal", () => {
  it("keeps ordinary text, including non-ASCII letters and tabs, unchanged", () => {
    expect(escapeForTerminal("modules/ünïcode/main.tf\tok")).toBe("modules/ünïcode/main.tf\tok");
  });
});

describe("wantsColor", () => {
  it("wants a TTY and no NO_COLOR", () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
  });
});
