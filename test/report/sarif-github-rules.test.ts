/**
 * The SARIF that `keywarden scan --format sarif` writes passes GitHub's ingestion rules, as
 * Microsoft's SARIF Multitool checks them (`validate --rule-kind "Gh;Sarif"`: GitHub code
 * scanning's GH rules and the SARIF spec's own). The built command runs as a child process on every
 * examples/ directory; the Multitool's own SARIF output is read for results at level "error". A
 * deliberately broken log must give errors, so the check cannot pass by finding nothing.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, REPO_ROOT, runCli } from "../cli/run-cli.js";

const run = promisify(execFile);
/** The package's main export is the path of the platform's binary; its npm wrapper goes through a shell. */
const MULTITOOL = createRequire(import.meta.url)("@microsoft/sarif-multitool") as string;
const EXAMPLES = join(REPO_ROOT, "examples");

interface ValidationResult {
  ruleId: string;
  level?: string;
  message: { id?: string; text?: string; arguments?: string[] };
}

let dir: string;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), "kw-sarif-gh-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The Multitool's findings on one SARIF file, from the SARIF log it writes. */
async function validate(file: string): Promise<ValidationResult[]> {
  const { results, executionSuccessful } = await validateLog(file);
  expect(executionSuccessful).toBe(true);
  return results;
}

async function validateLog(file: string): Promise<{ results: ValidationResult[]; executionSuccessful: boolean }> {
  const out = `${file}.validation.sarif`;
  await run(MULTITOOL, ["validate", file, "--rule-kind", "Gh;Sarif", "--output", out, "--log", "ForceOverwrite", "--quiet"], {
    // Its .NET runtime wants a writable home and no telemetry prompt.
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1", HOME: process.env["HOME"] ?? dir },
  }).catch((error: { code?: number }) => {
    // It exits non-zero when it finds errors; the log says which.
    if (typeof error.code !== "number") throw error;
  });
  const log = JSON.parse(await readFile(out, "utf8")) as {
    runs: { results?: ValidationResult[]; invocations?: { executionSuccessful?: boolean }[] }[];
  };
  return {
    results: log.runs.flatMap((r) => r.results ?? []),
    executionSuccessful: log.runs.every((r) => r.invocations?.every((i) => i.executionSuccessful === true) ?? false),
  };
}

function errorsOf(results: ValidationResult[]): string[] {
  return results
    .filter((r) => r.level === "error")
    .map((r) => `${r.ruleId} ${r.message.id ?? ""} ${(r.message.arguments ?? []).join(" ")}`);
}

describe("SARIF against GitHub's ingestion rules (SARIF Multitool)", async () => {
  const dirs = (await readdir(EXAMPLES, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);

  it("has examples to check", () => {
    expect(dirs).toEqual(expect.arrayContaining(["root-account-has-active-access-keys", "iam-access-key-is-exposed"]));
  });

  it.each(dirs)("examples/%s: no error", async (name) => {
    const file = join(dir, `${name}.sarif`);
    const scan = await runCli(["scan", join(EXAMPLES, name), "--format", "sarif", "--fail-on", "none", "--output", file]);
    expect(scan.code, scan.stderr).toBe(0);
    const results = await validate(file);
    expect(errorsOf(results)).toEqual([]);
    // What was validated is the real report: the example's findings are in it.
    const sarif = JSON.parse(await readFile(file, "utf8")) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
  });

  it("finds errors in a log missing what GitHub requires (the check is not vacuous)", async () => {
    const file = join(dir, "broken.sarif");
    const scan = await runCli(["scan", join(EXAMPLES, "root-account-has-active-access-keys"), "--format", "sarif", "--fail-on", "none", "--output", file]);
    expect(scan.code, scan.stderr).toBe(0);
    const log = JSON.parse(await readFile(file, "utf8")) as {
      runs: { tool: { driver: { rules: Record<string, unknown>[]; notifications: Record<string, unknown>[] } } }[];
    };
    const driver = log.runs[0]!.tool.driver;
    // What the seed's SARIF lacked before: a notification descriptor's fullDescription and help.
    delete driver.notifications[0]!["fullDescription"];
    delete driver.notifications[0]!["help"];
    delete driver.rules[0]!["help"];
    await writeFile(file, JSON.stringify(log));
    const errors = errorsOf(await validate(file));
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GH2012 Error_MissingFullDescription runs\[0\]\.tool\.driver\.notifications\[0\]/),
        expect.stringMatching(/^GH2012 Error_MissingHelp runs\[0\]\.tool\.driver\.notifications\[0\]/),
        expect.stringMatching(/^GH2012 Error_MissingHelp runs\[0\]\.tool\.driver\.rules\[0\]/),
      ]),
    );
    expect(errors).toHaveLength(3);
  });
});
