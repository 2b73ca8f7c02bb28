import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scan } from "../../src/scan/index.js";
import { tempTree, where } from "../scan/temp-tree.js";

const hunkStart = (fix: string): number => Number(/^@@ -(\d+)/m.exec(fix)?.[1]);

/**
 * Applies a finding's fix (one hunk, `a/` and `b/` paths) to the file's text, checking that every
 * context and removed line is really there, as `git apply` would.
 */
function applyFix(text: string, fix: string): string {
  const lines = text.split("\n");
  const body = fix.replace(/\n$/, "").split("\n").slice(3); // after ---, +++ and @@
  const start = hunkStart(fix);
  const before = body.filter((l) => !l.startsWith("+")).map((l) => l.slice(1));
  const after = body.filter((l) => !l.startsWith("-")).map((l) => l.slice(1));
  expect(lines.slice(start - 1, start - 1 + before.length)).toEqual(before);
  lines.splice(start - 1, before.length, ...after);
  return lines.join("\n");
}

/** Scans `text` as `name`, applies each finding's fix in turn, and returns what a re-scan finds. */
async function afterFixes(name: string, text: string): Promise<{ before: string[]; after: Awaited<ReturnType<typeof scan>> }> {
  const root = await tempTree({ [name]: text });
  const first = await scan(root);
  expect(first.errors).toEqual([]);
  let fixed = text;
  // One fix per resource: both rules propose the same change to it.
  const byResource = new Map(first.findings.map((f) => [f.resource, f.fix]));
  // Bottom-up, so a fix that adds lines does not move the next one's hunk.
  const fixes = [...byResource.values()].sort((a, b) => hunkStart(b) - hunkStart(a));
  for (const fix of fixes) {
    expect(fix.split("\n").slice(3).some((l) => l.startsWith("+"))).toBe(true); // a fix that changes nothing is no fix
    fixed = applyFix(fixed, fix);
  }
  await writeFile(join(root, name), fixed);
  return { before: where(first.findings), after: await scan(root) };
}

describe("the fix, applied, leaves a file that parses and has no finding", () => {
  it.each([
    ["main.tf", "a one-line block (HCL allows one argument on a single line)", 'resource "aws_iam_access_key" "x" { user = "root" }\n'],
    ["main.tf", "a one-line block with a trailing comment", 'resource "aws_iam_access_key" "x" { user = "${"root"}" } # owner: ops\n'],
    ["main.tf", "tabs and status before user", 'resource\t"aws_iam_access_key"\t"x"\t{\n\tstatus\t=\t"Active"\n\tuser\t=\t"root"\n}\n'],
    ["main.tf", "a status expression over several lines", 'resource "aws_iam_access_key" "x" {\n  user = "root"\n  status = (\n    "Active"\n  )\n}\n'],
    ["main.tf", "a heredoc status", 'resource "aws_iam_access_key" "x" {\n  user   = "root"\n  status = <<EOT\nActive\nEOT\n}\n'],
    ["main.tf.json", "one line holding two keys, the first with its own status", '{"resource":{"aws_iam_access_key":{"x":{"user":"root","status":"Inactive"},"y":{"user":"rOOt"}}}}\n'],
    ["main.tf.json", "one line, the second key's status to replace", '{"resource":{"aws_iam_access_key":{"x":{"user":"bob","status":"Active"},"y":{"user":"root","status":"Active"}}}}\n'],
    ["main.tf.json", "pretty-printed, in the array form", '{\n  "resource": [{\n    "aws_iam_access_key": {\n      "x": [{\n        "user": "root"\n      }]\n    }\n  }]\n}\n'],
  ])("%s: %s", async (name, _, text) => {
    const { before, after } = await afterFixes(name, text);
    expect(before.length).toBeGreaterThan(0);
    expect(after.errors).toEqual([]);
    expect(after.findings).toEqual([]);
  });
});
