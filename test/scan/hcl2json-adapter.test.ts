import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHclParser, parseHcl, parserHealth, stopHclParser, type HclParser, type HclParserOptions } from "../../src/scan/hcl2json-adapter.js";
import { ParserUnavailableError } from "../../src/scan/file-errors.js";
import { scan } from "../../src/scan/index.js";
import { tempTree } from "./temp-tree.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/scan/hcl-modules/${name}`, import.meta.url));

const parsers: HclParser[] = [];
function parserFor(options: HclParserOptions): HclParser {
  const parser = createHclParser(options);
  parsers.push(parser);
  return parser;
}

/** A clock the test moves by hand, so back-offs take no real time. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

afterEach(async () => {
  await Promise.all(parsers.splice(0).map((p) => p.stop()));
});
afterAll(() => stopHclParser());

describe("hcl2json adapter", () => {
  it("parses HCL into hcl2json's form", async () => {
    const doc = await parseHcl("a.tf", `resource "aws_iam_access_key" "k" {\n  user = var.u\n}\n`);
    expect(doc).toEqual({ resource: { aws_iam_access_key: { k: [{ user: "${var.u}" }] } } });
    expect(parserHealth()).toMatchObject({ state: "ready", restarts: 0, failedStarts: 0 });
  });

  it("gives the parser's message with file, line and column on a syntax error", async () => {
    await expect(parseHcl("env/b.tf", `x = \n`)).rejects.toThrow(/^env\/b\.tf:1,\d+-\d+,\d+: /);
    // A file that does not parse is no fault of the parser.
    expect(parserHealth()).toMatchObject({ state: "ready", restarts: 0 });
  });

  it("times out a start-up that never finishes, fails calls at once while backing off, then starts a fresh worker", async () => {
    const clock = manualClock();
    const parser = parserFor({ modulePath: fixture("never-starts.cjs"), startupTimeoutMs: 200, backoffInitialMs: 1_000, backoffMaxMs: 3_000, now: clock.now });
    const first = parser.parse("a.tf", "");
    expect(parser.health()).toMatchObject({ state: "starting", restarts: 0 });
    await expect(first).rejects.toThrow(/HCL parser unavailable: starting the HCL parser timed out after 200 ms/);
    await expect(first).rejects.toBeInstanceOf(ParserUnavailableError);
    expect(parser.health()).toEqual({
      state: "backing-off",
      restarts: 0,
      failedStarts: 1,
      lastError: "starting the HCL parser timed out after 200 ms",
      retryInMs: 1_000,
    });

    // During the back-off: refused at once, no worker started.
    clock.advance(999);
    await expect(parser.parse("a.tf", "")).rejects.toThrow(/timed out after 200 ms \(next start in 1 ms\)/);
    parser.warmUp();
    expect(parser.health()).toMatchObject({ state: "backing-off", restarts: 0, retryInMs: 1 });

    // After it: a fresh worker (a restart); it fails again, and the back-off doubles, up to the cap.
    clock.advance(1);
    const second = parser.parse("a.tf", "");
    expect(parser.health()).toMatchObject({ state: "starting", restarts: 1 });
    await expect(second).rejects.toBeInstanceOf(ParserUnavailableError);
    expect(parser.health()).toMatchObject({ state: "backing-off", restarts: 1, failedStarts: 2, retryInMs: 2_000 });
    clock.advance(2_000);
    await expect(parser.parse("a.tf", "")).rejects.toBeInstanceOf(ParserUnavailableError);
    expect(parser.health()).toMatchObject({ state: "backing-off", restarts: 2, failedStarts: 3, retryInMs: 3_000 });
  });

  it("recovers when a later start-up works: never a permanent refusal", async () => {
    const dir = await mkdtemp(join(tmpdir(), "keywarden-parser-"));
    process.env.KEYWARDEN_TEST_PARSER_MARKER = join(dir, "started");
    try {
      const clock = manualClock();
      const parser = parserFor({ modulePath: fixture("fails-first-start.cjs"), now: clock.now });
      await expect(parser.parse("a.tf", "")).rejects.toThrow(/HCL parser unavailable: starting the HCL parser failed: .*WASM failed to load/);
      expect(parser.health()).toMatchObject({ state: "backing-off", failedStarts: 1, retryInMs: 1_000 });
      clock.advance(1_000);
      await expect(parser.parse("a.tf", "")).resolves.toHaveProperty("threadId");
      expect(parser.health()).toMatchObject({ state: "ready", restarts: 1, failedStarts: 0, lastError: expect.stringMatching(/WASM failed to load/) });
      expect(parser.health().retryInMs).toBeUndefined();
    } finally {
      delete process.env.KEYWARDEN_TEST_PARSER_MARKER;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails the whole scan, rather than listing every file as unparsable, when the parser cannot start", async () => {
    const parser = parserFor({ modulePath: fixture("never-starts.cjs"), startupTimeoutMs: 200 });
    const root = await tempTree({
      // A heredoc is outside the plain subset: its value needs hcl2json, and a tree that seemed
      // clean would hide this root key.
      "main.tf": `resource "aws_iam_access_key" "k" {\n  user = <<EOT\nroot\nEOT\n}\n`,
    });
    await expect(scan(root, { parser })).rejects.toThrow(/HCL parser unavailable: starting the HCL parser timed out after 200 ms/);
    // And during the back-off, the next scan fails the same way, at once.
    await expect(scan(root, { parser })).rejects.toThrow(/HCL parser unavailable: starting the HCL parser timed out after 200 ms \(next start in/);
  });

  it("scans a plain tree without hcl2json at all: its findings do not depend on the parser starting", async () => {
    const parser = parserFor({ modulePath: fixture("never-starts.cjs"), startupTimeoutMs: 200 });
    const root = await tempTree({
      "main.tf": `resource "aws_iam_access_key" "k" {\n  user = var.who\n}\n\nvariable "who" {\n  type    = string\n  default = "root"\n}\n`,
    });
    const result = await scan(root, { parser });
    expect(result.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual([
      "terraform-aws-root-account-has-active-access-keys main.tf:1",
      "terraform-aws-iam-access-key-is-exposed main.tf:2",
    ]);
    expect(result.errors).toEqual([]);
    expect(parser.health()).toMatchObject({ state: "idle", restarts: 0, failedStarts: 0 });
  });

  it("times out a call that never answers, and starts a fresh parser for the next call", async () => {
    const parser = parserFor({ modulePath: fixture("hangs-on-request.cjs"), callTimeoutMs: 100 });
    const before = (await parser.parse("a.tf", "a = 1")) as { threadId: number };
    await expect(parser.parse("slow.tf", "hang")).rejects.toThrow(/parsing slow\.tf timed out after 100 ms/);
    expect(parser.health()).toMatchObject({ state: "idle", restarts: 0, lastError: "parsing slow.tf timed out after 100 ms" });
    // The hung worker was killed: this call is answered, by another worker, counted as a restart.
    const after = (await parser.parse("again.tf", "a = 1")) as { threadId: number };
    expect(after.threadId).not.toBe(before.threadId);
    expect(parser.health()).toMatchObject({ state: "ready", restarts: 1, failedStarts: 0 });
  });

  it("does not count a stop (shutdown) as a restart", async () => {
    const parser = parserFor({ modulePath: fixture("hangs-on-request.cjs") });
    await parser.parse("a.tf", "a = 1");
    await parser.stop();
    expect(parser.health()).toEqual({ state: "idle", restarts: 0, failedStarts: 0 });
    await parser.parse("a.tf", "a = 1");
    expect(parser.health()).toEqual({ state: "ready", restarts: 0, failedStarts: 0 });
  });
});
