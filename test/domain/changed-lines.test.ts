/**
 * The lines a pull request adds, from GitHub's `patch` of each listed file (hunks without file
 * headers). Hand-written patches in GitHub's shape, and patches that real git writes for real files
 * (its headers stripped as GitHub strips them), checked against the new file's content.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addedLines, changedLinesFrom } from "../../src/domain/changed-lines.js";

function lines(result: ReadonlySet<number> | "all"): number[] | "all" {
  return result === "all" ? "all" : [...result].sort((a, b) => a - b);
}

/** The patch GitHub would list for `before` → `after`: git's own diff without its file headers. */
function gitPatch(before: string | undefined, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kw-patch-"));
  try {
    const git = (...args: string[]): string =>
      execFileSync("git", ["-c", "core.autocrlf=false", "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, encoding: "utf8" });
    git("init", "-q");
    if (before !== undefined) {
      writeFileSync(join(dir, "main.tf"), before);
      git("add", "main.tf");
      git("commit", "-q", "-m", "base");
    }
    writeFileSync(join(dir, "main.tf"), after);
    git("add", "-N", "main.tf");
    const diff = git("diff", "--no-color", "--no-ext-diff", "main.tf");
    const start = diff.indexOf("\n@@");
    return diff.slice(start + 1).replace(/\n$/, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("addedLines", () => {
  it("reads several hunks, with a function context after the header", () => {
    const patch = [
      '@@ -1,4 +1,5 @@ terraform {',
      ' resource "aws_iam_access_key" "deploy" {',
      '-  user = "deploy"',
      '+  user = "root"',
      '+  pgp_key = "keybase:ops"',
      '   status = "Active"',
      ' }',
      '@@ -20,3 +21,4 @@ resource "aws_iam_user" "ops" {',
      ' resource "aws_iam_access_key" "ops" {',
      '   user = aws_iam_user.ops.name',
      '+  status = "Inactive"',
      ' }',
    ].join("\n");
    expect(lines(addedLines(patch))).toEqual([2, 3, 23]);
  });

  it("reads a new file (all lines added) and a hunk header without counts", () => {
    expect(lines(addedLines('@@ -0,0 +1,3 @@\n+resource "aws_iam_access_key" "k" {\n+  user = "root"\n+}'))).toEqual([1, 2, 3]);
    expect(lines(addedLines('@@ -1 +1 @@\n-user = "a"\n+user = "root"'))).toEqual([1]);
  });

  it("skips the no-newline marker, which takes no line", () => {
    const patch = ['@@ -1,2 +1,3 @@', ' a', '-b', '\\ No newline at end of file', '+b', '+c', '\\ No newline at end of file'].join("\n");
    expect(lines(addedLines(patch))).toEqual([2, 3]);
  });

  it("reads content that looks like a header or a diff marker as content", () => {
    const patch = ['@@ -1,2 +1,4 @@', ' x', '+++ not a file header', '+-- nor this', ' y'].join("\n");
    expect(lines(addedLines(patch))).toEqual([2, 3]);
  });

  it("counts an empty line inside a hunk as context (its space lost) and ignores text after the hunk", () => {
    const patch = ['@@ -1,3 +1,4 @@', ' a', '', '+b', ' c', '', 'trailing'].join("\n");
    expect(lines(addedLines(patch))).toEqual([3]);
  });

  it("gives 'all' when GitHub sent no patch, and no line for an empty one", () => {
    expect(addedLines(undefined)).toBe("all");
    expect(lines(addedLines(""))).toEqual([]);
  });

  it("agrees with real git on a CRLF file, with several hunks and a missing final newline", () => {
    const base = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const head = [...base];
    head.splice(2, 1, 'user = "root"'); // line 3 changed
    head.splice(15, 0, "inserted A", "inserted B"); // lines 16, 17 added
    head.splice(29, 1); // a line removed near the end
    head.push("last, no newline"); // added at the end, no final newline
    const crlf = (ls: string[], final: boolean): string => ls.join("\r\n") + (final ? "\r\n" : "");
    const patch = gitPatch(crlf(base, true), crlf(head, false));
    expect(patch).toContain("\r");
    expect(patch).toContain("\\ No newline at end of file");
    const expected = head.flatMap((text, i) => (base.includes(text) ? [] : [i + 1]));
    expect(lines(addedLines(patch))).toEqual(expected);
    expect(expected).toEqual([3, 16, 17, head.length]);
  });

  it("agrees with real git on a new file", () => {
    const patch = gitPatch(undefined, 'resource "aws_iam_access_key" "k" {\n  user = "root"\n}\n');
    expect(patch.startsWith("@@ -0,0 +1,3 @@")).toBe(true);
    expect(lines(addedLines(patch))).toEqual([1, 2, 3]);
  });
});

describe("changedLinesFrom", () => {
  it("maps each listed file except removed ones, and keeps 'complete'", () => {
    const changed = changedLinesFrom(
      [
        { filename: "iam.tf", status: "modified", patch: "@@ -1,1 +1,2 @@\n a\n+b" },
        { filename: "gone.tf", status: "removed", patch: "@@ -1,1 +0,0 @@\n-a" },
        { filename: "big.tf", status: "modified" },
        { filename: "new.tf", status: "added", patch: "@@ -0,0 +1 @@\n+x" },
        { filename: "moved.tf", status: "renamed", changes: 0 },
        { filename: "moved-and-edited.tf", status: "renamed", changes: 2, patch: "@@ -4,1 +4,1 @@\n-a\n+b" },
      ],
      false,
    );
    expect(changed.complete).toBe(false);
    expect([...changed.files.keys()].sort()).toEqual(["big.tf", "iam.tf", "moved-and-edited.tf", "moved.tf", "new.tf"]);
    expect(lines(changed.files.get("iam.tf")!)).toEqual([2]);
    expect(changed.files.get("big.tf")).toBe("all");
    expect(lines(changed.files.get("new.tf")!)).toEqual([1]);
    expect(lines(changed.files.get("moved.tf")!)).toEqual([]);
    expect(lines(changed.files.get("moved-and-edited.tf")!)).toEqual([4]);
    expect(changedLinesFrom([], true)).toEqual({ files: new Map(), complete: true });
  });
});
