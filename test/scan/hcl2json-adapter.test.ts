import { afterEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { parseHcl, setHclModulePathForTests } from "../../src/scan/hcl2json-adapter.js";
import { ParserUnavailableError } from "../../src/scan/file-errors.js";
import { scan } from "../../src/scan/index.js";
import { tempTree } from "./temp-tree.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/scan/hcl-modules/${name}`, import.meta.url));

afterEach(() => setHclModulePathForTests(undefined));

describe("hcl2json adapter", () => {
  it("parses HCL into hcl2json's form", async () => {
    const doc = await parseHcl("a.tf", `resource "aws_iam_access_key" "k" {\n  user = var.u\n}\n`);
    expect(doc).toEqual({ resource: { aws_iam_access_key: { k: [{ user: "${var.u}" }] } } });
  });

  it("gives the parser's message with file, line and column on a syntax error", async () => {
    await expect(parseHcl("env/b.tf", `x = \n`)).rejects.toThrow(/^env\/b\.tf:1,\d+-\d+,\d+: /);
  });

  it("times out a start-up that never finishes, then fails every later call at once", async () => {
    setHclModulePathForTests(fixture("never-starts.cjs"));
    await expect(parseHcl("a.tf", "", { startupTimeoutMs: 200 })).rejects.toThrow(/timed out after 200 ms/);
    await expect(parseHcl("a.tf", "", { startupTimeoutMs: 60_000 })).rejects.toBeInstanceOf(ParserUnavailableError);
  });

  it("fails the whole scan, rather than listing every file as unparsable, when the parser cannot start", async () => {
    setHclModulePathForTests(fixture("never-starts.cjs"));
    await expect(parseHcl("a.tf", "", { startupTimeoutMs: 200 })).rejects.toThrow(/timed out/);
    const root = await tempTree({
      // Needs hcl2json for its values; a tree that seemed clean would hide this root key.
      "main.tf": `resource "aws_iam_access_key" "k" {\n  user = "root"\n}\n`,
    });
    await expect(scan(root)).rejects.toThrow(/HCL parser unavailable: starting the HCL parser timed out/);
  });

  it("times out a call that never answers, and starts a fresh parser for the next call", async () => {
    setHclModulePathForTests(fixture("hangs-after-start.cjs"));
    await expect(parseHcl("slow.tf", "a = 1", { callTimeoutMs: 100 })).rejects.toThrow(/parsing slow\.tf timed out after 100 ms/);
    // Not marked broken: a new worker starts (its warm-up succeeds) and this call times out on its own.
    await expect(parseHcl("again.tf", "a = 1", { callTimeoutMs: 100 })).rejects.toThrow(/parsing again\.tf timed out/);
  });
});
