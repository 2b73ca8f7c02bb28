/**
 * The scanner's two shortcuts are held to the slow paths they stand in for:
 * - plain-layout.ts (a file laid out line by line) must give exactly tree-sitter's layout;
 * - hcl-values.ts (values from tree-sitter's tree) must give exactly hcl2json's values, for every
 *   block it accepts, and accept only what hcl2json accepts;
 * - a scan must give the same result with the shortcuts as with hcl2json for every module.
 * Generated HCL (a fixed seed, so failures reproduce) mixes what the shortcuts take with what they
 * must refuse.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { plainLayout } from "../../src/scan/plain-layout.js";
import { treeSitterLayout } from "../../src/scan/hcl-layout.js";
import { UNCONVERTED } from "../../src/scan/hcl-values.js";
import { parseHcl, stopHclParser } from "../../src/scan/hcl2json-adapter.js";
import { scan } from "../../src/scan/index.js";
import { ensureCorpus } from "../../bench/generate.js";
import { tempTree } from "./temp-tree.js";
import { mulberry32 } from "../../bench/prng.js";

afterAll(async () => {
  await stopHclParser();
});

const examples = fileURLToPath(new URL("../../examples", import.meta.url));

const prng = mulberry32;

const VALUES = [
  ...['"root"', '"Active"', '"a b"', '""', '"a#b"', '"a//b"', '"${var.x}"', '"a-${var.x}-b"', '"${local.y}${var.z}"', '"a$"', '"100%"'],
  ...["var.user", "local.owner", "aws_iam_user.u.name", "string", "list(string)", "f(1, \"a\")", "f()", "[1, 2]", "[]", '["a", var.x]'],
  ...["0", "1", "42", "-1", "true", "false", "null", "var.x-y"],
  // Outside the subsets: each must be refused (or, when accepted, agree with the slow path).
  ...['"${ var.x }"', '"$${x}"', '"%{if x}y%{endif}"', '"\\n"', '"é"', '"\t"', "f(1,)", "[1,]", "007", "1.5", "1e3", "- 1", "var.x[0]"],
  ...["var.x.*.y", "x == y", "a ? b : c", "{}", "{ a = 1 }", "var.for", "true.x", "provider::aws::f()", "sha1(\"x\")", '"a" "b"', "1 2"],
];
const NAMES = ["user", "status", "pgp_key", "count", "name", "path", "default", "type", "description", "x", "x", "in", "__proto__", "a-b", "toString"];
const COMMENTS = ["# c", "// c", "# keywarden:ignore terraform-aws-iam-access-key-is-exposed reason", "# kics-scan ignore-line", "// kics-scan ignore-block", "# disable=abc", "/* c */", "#", "# ignore   "];
const HEADERS = [
  'resource "aws_iam_access_key" "k"',
  'resource "aws_iam_user" "u"',
  'resource "aws_s3_bucket" "b"',
  'variable "v"',
  "variable v",
  "locals",
  'output "o"',
  'resource "aws_iam_access_key" "k" "extra"',
  'resource "aws_iam_access_key"',
  'resource "aws_iam_user" "${x}"',
  'resource  "aws_iam_user"  "u2"',
  'locals "x"',
];

function generate(seed: number, count: number): string[] {
  const r = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
  const attr = (indent: string): string =>
    `${indent}${pick(NAMES)}${pick([" = ", "=", " =  ", "\t= "])}${pick(VALUES)}${r() < 0.2 ? ` ${pick(COMMENTS)}` : ""}`;
  const block = (indent: string, depth: number): string[] => {
    const head = depth > 0 ? pick(["lifecycle", "validation", "x", "user", "tags"]) : pick(HEADERS);
    const lines = [`${indent}${head}${pick([" {", " {", "{", " {  ", ` { ${pick(COMMENTS)}`])}`];
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) {
      const k = r();
      if (k < 0.62) lines.push(attr(`${indent}  `));
      else if (k < 0.72) lines.push(`${indent}  ${pick(COMMENTS)}`);
      else if (k < 0.8) lines.push("");
      else if (k < 0.86) lines.push(`${indent}  ${pick(NAMES)} = 1 ${pick(NAMES)} = 2`); // two on a line: HCL refuses
      else if (depth < 2) lines.push(...block(`${indent}  `, depth + 1));
    }
    const close = r();
    if (close < 0.05) lines[lines.length - 1] += " }"; // `}` after the last attribute, on its line
    else lines.push(`${indent}}${close < 0.15 ? ` ${pick(COMMENTS)}` : close < 0.18 ? ` ${pick(HEADERS)} {` : ""}`);
    if (r() < 0.03) lines[0] = `${indent}${head}\n${indent}{`; // `{` on the next line: HCL refuses
    if (r() < 0.03) return [`${indent}${head} { ${attr("")} }`];
    return lines;
  };
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const lines: string[] = [];
    const topOnly = r() < 0.2; // a `.tfvars` file
    for (let j = 1 + Math.floor(r() * 4); j > 0; j--) {
      const k = r();
      if (topOnly) lines.push(k < 0.8 ? attr("") : pick(COMMENTS));
      else if (k < 0.6) lines.push(...block("", 0));
      else if (k < 0.75) lines.push(pick(COMMENTS));
      else if (k < 0.85) lines.push("");
      else lines.push(attr(""));
    }
    let text = lines.join(r() < 0.15 ? "\r\n" : "\n") + (r() < 0.8 ? "\n" : "");
    if (r() < 0.05) text = text.replace(/ {2}/g, "\t");
    if (r() < 0.02) text = text.replace("\n", "\u2028");
    texts.push(text);
  }
  return texts;
}

async function terraformFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(tf|tfvars)$/.test(entry.name)) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

/** JSON with the Maps and symbols of a layout visible, for comparing and for failure messages. */
const show = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...v] : typeof v === "symbol" ? String(v) : v === Infinity ? "Infinity" : v));

describe("plain-layout.ts gives tree-sitter's layout, or nothing", () => {
  it("on generated HCL, the seed examples and a generated corpus", async () => {
    const dir = await mkdtemp(join(tmpdir(), "keywarden-plain-corpus-"));
    try {
      await ensureCorpus(dir, { files: 400, seed: 7 });
      const texts = generate(20_261_202, 3_000);
      for (const file of [...(await terraformFiles(examples)), ...(await terraformFiles(dir))]) texts.push(await readFile(file, "utf8"));
      let plain = 0;
      for (const text of texts) {
        for (const topAttributes of [false, true]) {
          const fast = plainLayout(text, { topAttributes });
          if (!fast) continue;
          plain++;
          expect(fast, text).toStrictEqual(await treeSitterLayout(text, { topAttributes }));
        }
      }
      // The comparison means something only if many files took the shortcut.
      expect(plain).toBeGreaterThan(1_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses what it cannot be sure of", () => {
    for (const text of [
      'resource "a" "b" {\n  x = 1 y = 2\n}\n',
      'resource "a" "b"\n{\n  x = 1\n}\n',
      'resource "a" "b" { x = 1 }\n',
      'resource "a" "b" {\n  x = 1 }\n',
      'resource "a" "b" {\n  x = <<EOT\nroot\nEOT\n}\n',
      'resource "a" "b" {\n  /* c */\n  x = 1\n}\n',
      'resource "a" "b" {\n  x = "\\u0041"\n}\n',
      'resource "a" "b" {\n  x = {\n    y = 1\n  }\n}\n',
      'resource "a" "b" {\n  x = 1\n',
      "}\n",
      'resource "a" "b" {\n  x = "caf\u00e9"\n}\n',
    ]) {
      expect(plainLayout(text), text).toBeUndefined();
    }
  });
});

describe("hcl-values.ts gives hcl2json's values, for what hcl2json accepts", () => {
  it("on generated HCL: every plain block and plain top level, against hcl2json itself", async () => {
    let checked = 0;
    for (const text of generate(20_261_203, 1_500)) {
      const layout = await treeSitterLayout(text, { topAttributes: true });
      if (layout.hasError) continue;
      if (layout.plainTopLevel) {
        const doc = await parseHcl("vars.tfvars", text);
        expect(Object.keys(doc).sort(), text).toEqual(Object.keys(layout.plainTopLevel).sort());
        for (const [name, value] of Object.entries(layout.plainTopLevel)) if (value !== UNCONVERTED) expect(doc[name], text).toEqual(value);
        checked++;
      }
      for (const block of layout.topBlocks) {
        if (!block.plainBody) continue;
        // Rejects if hcl2json refuses what the shortcut accepted.
        const doc = await parseHcl("block.tf", block.text);
        let body: unknown = doc[block.type];
        for (const label of block.labels) body = (body as Record<string, unknown> | undefined)?.[label];
        const values = (Array.isArray(body) ? body[0] : body) as Record<string, unknown>;
        for (const [name, value] of Object.entries(block.plainBody)) {
          if (value !== UNCONVERTED) expect(show(values[name]), `${name} in ${block.text}`).toBe(show(value));
        }
        // What hcl2json has beyond the plain attributes are nested blocks.
        for (const name of Object.keys(values)) if (!(name in block.plainBody)) expect(block.text).toMatch(new RegExp(`^\\s*${name}\\s*\\{`, "m"));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  }, 120_000);
});

describe("a scan gives the same result with the shortcuts as with hcl2json", () => {
  it("on the seed examples, a generated corpus and modules at the edges of the subsets", async () => {
    const corpus = await mkdtemp(join(tmpdir(), "keywarden-plain-scan-"));
    try {
      await ensureCorpus(corpus, { files: 2_000, seed: 11 });
      const edges = await tempTree({
        // Plain throughout: variable, local and user references, a tfvars override, a suppression.
        "a/main.tf": 'resource "aws_iam_access_key" "k" {\n  user = var.who\n}\nvariable "who" {\n  type    = string\n  default = "admin"\n}\n',
        "a/terraform.tfvars": 'who = "root"\n',
        "b/main.tf": 'locals {\n  owner = "${local.prefix}t"\n  prefix = "roo"\n}\n# keywarden:ignore terraform-aws-iam-access-key-is-exposed break-glass\nresource "aws_iam_access_key" "k" {\n  user = local.owner\n}\n',
        "c/main.tf": 'resource "aws_iam_user" "r" {\n  name = "ROOT"\n}\nresource "aws_iam_access_key" "k" {\n  user   = aws_iam_user.r.name\n  status = "Active"\n  count  = 1\n}\n',
        // A needed value outside the subset (a tuple default, a function call): hcl2json decides.
        "d/main.tf": 'variable "who" {\n  default = ["root"]\n}\nresource "aws_iam_access_key" "k" {\n  user = var.who\n}\n',
        "e/main.tf": 'resource "aws_iam_access_key" "k" {\n  user  = lower("ROOT")\n  count = length([1])\n}\n',
        // What hcl2json refuses and tree-sitter accepts: reported against the file either way.
        "f/main.tf": 'resource "aws_iam_access_key" "k" {\n  user = "root"\n  user = "other"\n}\n',
        "g/main.tf": 'resource "aws_iam_access_key" "k" {\n  user = "root"\n  status = "Active" count = 0\n}\n',
        // Two definitions of one variable across files, and count = 0.
        "h/a.tf": 'variable "who" {\n  default = "root"\n}\nresource "aws_iam_access_key" "k" {\n  user = var.who\n}\n',
        "h/b.tf": 'variable "who" {\n  default = "nobody"\n}\n',
        "i/main.tf": 'resource "aws_iam_access_key" "k" {\n  user  = "root"\n  count = 0\n}\n',
      });
      for (const dir of [examples, corpus, edges]) {
        expect(await scan(dir)).toEqual(await scan(dir, { plainValues: false }));
      }
    } finally {
      await rm(corpus, { recursive: true, force: true });
    }
  }, 120_000);
});
