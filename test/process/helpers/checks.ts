/**
 * Checks every process test shares, run after each test on everything its children wrote:
 * - no installation token and no line of the private key in any byte of stdout or stderr;
 * - every line on stdout and on stderr is one JSON object (LOG_FORMAT=json);
 * - every line a scan job logs names its job, installation and repository (a check job's, its pull request too).
 * Then the scenario is closed (children killed, stand-in closed, Redis prefix removed).
 */
import { afterEach, expect } from "vitest";
import type { Keywarden, LogLine } from "./child.js";
import { active, appKeys, type Scenario } from "./scenario.js";
import { leaks } from "./secrets.js";

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Lines a scan job logged (they carry `queue: "scan"`). */
export function scanJobLines(child: Keywarden): LogLine[] {
  return child.lines.filter((l) => l.queue === "scan");
}

export function checkOutput(scenario: Scenario): void {
  const children = scenario.children;
  // Something to look for: every scenario mints installation tokens.
  expect(scenario.gh.tokensIssued.length, "installation tokens minted").toBeGreaterThan(0);
  expect(leaks(children, scenario.gh.tokensIssued, appKeys().privateKey), "secrets in the output").toEqual([]);
  for (const child of children) {
    expect(child.notJson, `stdout lines of keywarden ${child.args.join(" ")} that are not one JSON object`).toEqual([]);
    const stderr = child.stderrText().split("\n").filter((l) => l !== "" && !isJsonObject(l));
    expect(stderr, `stderr lines of keywarden ${child.args.join(" ")} that are not one JSON object`).toEqual([]);
    const missing = scanJobLines(child).filter((l) => l.jobId === undefined || l.installation === undefined || l.repo === undefined);
    expect(missing, "scan job lines without jobId, installation and repo").toEqual([]);
    const checkMissing = child.lines.filter((l) => l.queue === "check" && (l.jobId === undefined || l.installation === undefined || l.repo === undefined || l.pull === undefined));
    expect(checkMissing, "check job lines without jobId, installation, repo and pull").toEqual([]);
  }
}

/** Register the shared checks (once per test file). */
export function checkEveryScenario(): void {
  afterEach(async () => {
    const scenarios = [...active];
    try {
      for (const scenario of scenarios) {
        // Stop the children first: their last bytes count too.
        await Promise.all(scenario.children.map((c) => c.stop()));
        checkOutput(scenario);
      }
    } finally {
      for (const scenario of scenarios) await scenario.close();
    }
  }, 30_000);
}
