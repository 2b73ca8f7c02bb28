/**
 * A central issue repository on the built `keywarden serve` against the GitHub stand-in and real
 * Redis. The organization's `.github/keywarden.yml` says `issues.repository: security-findings`;
 * `legacy` and `legacy-two` have issues disabled. A push adding a root key to `legacy` files its
 * issues in security-findings, naming legacy in the title and carrying legacy's id in the marker;
 * the fix closes them; the same file pushed to `legacy-two` gets issues of its own; the central
 * repository's own finding issues are never touched by either.
 */
import { describe, expect, it } from "vitest";
import type { StoredIssue } from "../stand-in/index.js";
import { checkEveryScenario } from "./helpers/checks.js";
import { fingerprintOf } from "./helpers/census.js";
import { OWNER, Scenario } from "./helpers/scenario.js";
import { FIXED, NON_COMPLIANT } from "./helpers/terraform.js";

checkEveryScenario();

const CENTRAL = "security-findings";
const SOURCE_RE = /<!-- keywarden:source=(\d+) -->/;
const sourceOf = (issue: StoredIssue) => (issue.body ? SOURCE_RE.exec(issue.body)?.[1] : undefined);

describe("keywarden serve: issues.repository", () => {
  it("files the findings of repositories with issues disabled in the central repository, one issue per source and finding, with the full lifecycle, leaving the central repository's own issues alone", async () => {
    const s = await Scenario.start({ jobLockMs: 3000 });
    const { gh } = s;
    await gh.createRepo(".github", { private: true, files: { ".github/keywarden.yml": `issues:\n  repository: ${CENTRAL}\n` } });
    await gh.createRepo(CENTRAL, { files: { "README.md": "# security findings\n" } });
    const legacy = await gh.createRepo("legacy", { hasIssues: false, files: { "README.md": "# legacy\n" } });
    const legacyTwo = await gh.createRepo("legacy-two", { hasIssues: false, files: { "README.md": "# legacy two\n" } });
    const serve = await s.serve();
    const issuesFrom = (source: { id: number } | undefined) => gh.issues(CENTRAL).filter((i) => sourceOf(i) === (source ? String(source.id) : undefined));
    const settled = (check: () => boolean) => async () => check() && (await s.queues.pending()) === 0;

    // The central repository's own finding: two issues of its own (no source marker).
    const own = await gh.commit(CENTRAL, { files: { "main.tf": NON_COMPLIANT }, message: "a key of our own" });
    expect(await gh.push(CENTRAL, own)).toBe(200);
    await s.until(settled(() => issuesFrom(undefined).length === 2), 30_000, "the central repository's own two issues");
    const ownBefore = structuredClone(issuesFrom(undefined));

    // legacy (issues disabled) gets the same file: its two issues are filed centrally.
    const added = await gh.commit("legacy", { files: { "main.tf": NON_COMPLIANT }, message: "add a key for root" });
    expect(await gh.push("legacy", added)).toBe(200);
    await s.until(settled(() => issuesFrom(legacy).length === 2), 30_000, "legacy's two issues in security-findings");
    const filed = issuesFrom(legacy);
    for (const issue of filed) {
      expect(issue.state).toBe("open");
      expect(issue.user.login).toBe("keywarden[bot]");
      expect(issue.title.startsWith(`[${OWNER}/legacy] `)).toBe(true);
      expect(issue.title).toContain("main.tf");
      expect(issue.body).toContain(`${gh.origin}/${OWNER}/legacy/blob/${added.after}/main.tf#L`);
      expect(issue.body).toContain(`**Repository:** \`${OWNER}/legacy\``);
      expect(issue.labels).toContain("keywarden");
    }
    // Identical files, identical fingerprints: told apart by the source marker alone.
    expect(new Set(filed.map((i) => fingerprintOf(i.body)))).toEqual(new Set(ownBefore.map((i) => fingerprintOf(i.body))));
    const scanned = serve.lines.filter((l) => l.msg === "repository scanned" && l.repo === `${OWNER}/legacy`).at(-1)!;
    expect(scanned).toMatchObject({ findings: 2, opened: 2, issuesDisabled: false });

    // The fix, pushed to legacy: its issues closed as completed, with a comment linking legacy's commit.
    const fixed = await gh.commit("legacy", { files: { "main.tf": FIXED }, message: "deactivate the root key" });
    expect(await gh.push("legacy", fixed)).toBe(200);
    await s.until(settled(() => issuesFrom(legacy).every((i) => i.state === "closed")), 30_000, "legacy's issues closed");
    for (const issue of issuesFrom(legacy)) {
      expect(issue.stateReason).toBe("completed");
      expect(issue.comments).toHaveLength(1);
      expect(issue.comments[0]!.body).toContain(`${gh.origin}/${OWNER}/legacy/commit/${fixed.after}`);
    }

    // legacy-two, issues disabled too, with the same file: separate issues, legacy's left closed.
    const second = await gh.commit("legacy-two", { files: { "main.tf": NON_COMPLIANT }, message: "same key" });
    expect(await gh.push("legacy-two", second)).toBe(200);
    await s.until(settled(() => issuesFrom(legacyTwo).length === 2), 30_000, "legacy-two's two issues in security-findings");
    for (const issue of issuesFrom(legacyTwo)) {
      expect(issue.state).toBe("open");
      expect(issue.title.startsWith(`[${OWNER}/legacy-two] `)).toBe(true);
    }
    expect(issuesFrom(legacy).map((i) => i.state)).toEqual(["closed", "closed"]);
    expect(gh.issues(CENTRAL)).toHaveLength(6);

    // The central repository's own issues: not edited, commented, closed or reopened by any of it.
    expect(issuesFrom(undefined)).toEqual(ownBefore);
    const ownNumbers = new Set(ownBefore.map((i) => i.number));
    const touchedOwn = gh.writes().filter((w) => ownNumbers.has(Number(/\/issues\/(\d+)/.exec(w.path)?.[1])));
    expect(touchedOwn).toEqual([]);
    expect(serve.lines.filter((l) => l.msg === "job failed")).toEqual([]);
  }, 120_000);

  it("a central repository with issues disabled too: one warning naming issues.repository per scan, the scan done with its issues not filed, no retry", async () => {
    const s = await Scenario.start({ jobLockMs: 3000 });
    const { gh } = s;
    await gh.createRepo(".github", { private: true, files: { ".github/keywarden.yml": `issues:\n  repository: ${CENTRAL}\n` } });
    await gh.createRepo(CENTRAL, { hasIssues: false, files: { "README.md": "# security findings\n" } });
    await gh.createRepo("legacy", { hasIssues: false, files: { "README.md": "# legacy\n" } });
    const serve = await s.serve();

    const added = await gh.commit("legacy", { files: { "main.tf": NON_COMPLIANT } });
    expect(await gh.push("legacy", added)).toBe(200);
    const scanned = await serve.waitForMessage("repository scanned", 30_000);
    expect(scanned).toMatchObject({ repo: `${OWNER}/legacy`, findings: 2, issuesDisabled: true });
    const warned = serve.lines.filter((l) => l.key === "issues.repository");
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ repo: `${OWNER}/legacy`, central: `${OWNER}/${CENTRAL}`, level: 40 });
    expect(warned[0]!.msg).toMatch(/^issues\.repository security-findings: octo-org\/security-findings has issues disabled too, so the findings of octo-org\/legacy .* are not filed\. /);
    await s.until(async () => (await s.queues.pending()) === 0, 20_000, "no job left");
    // No issue anywhere; the push's check run still tells the committer (it needs no issues).
    expect(gh.writes().filter((w) => !/\/check-runs(\/|$)/.test(w.path))).toEqual([]);
    expect(gh.checkRuns("legacy").map((r) => [r.headSha, r.conclusion])).toEqual([[added.after, "failure"]]);
    expect(serve.lines.filter((l) => l.msg === "job failed")).toEqual([]);
  }, 60_000);
});
