/**
 * Scenario 1, the product's first promise, on the built `keywarden serve` against the GitHub
 * stand-in and real Redis: a push that adds a root access key gets one issue per finding, with
 * labels and a body an engineer can act on; the same delivery again writes nothing; a fix closes
 * the issues as completed with a comment naming the commit; a regression reopens them.
 */
import { describe, expect, it } from "vitest";
import { checkEveryScenario, scanJobLines } from "./helpers/checks.js";
import { RULES } from "./helpers/census.js";
import { record } from "./helpers/reliability.js";
import { OWNER, Scenario } from "./helpers/scenario.js";
import { FIXED, NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

describe("keywarden serve: push → issues", () => {
  it("files one issue per finding, writes nothing on a redelivery, closes on a fix and reopens on a regression", async () => {
    const s = await Scenario.start({ jobLockMs: 3000 });
    const { gh } = s;
    await gh.createRepo("infra", { files: { "README.md": "# infra\n" } });
    const serve = await s.serve();

    // A push adding the seed example: two findings, two issues.
    const added = await gh.commit("infra", { files: { "main.tf": NON_COMPLIANT }, message: "add a key for root" });
    const pushedAt = Date.now();
    expect(await gh.push("infra", added)).toBe(200);
    const delivery = gh.deliveries.at(-1)!;
    s.expected = seedFindings("infra");
    const convergedAt = await s.converge(30_000);
    record({ scenario: "push → issues", faults: "none", census: s.census(), seconds: (convergedAt - pushedAt) / 1000 });

    const issues = gh.issues("infra");
    expect(issues).toHaveLength(2);
    for (const issue of issues) {
      expect(issue.state).toBe("open");
      expect(issue.user.login).toBe("keywarden[bot]");
      expect(issue.labels).toContain("keywarden");
      expect(issue.body).toContain(`${gh.origin}/${OWNER}/infra/blob/${added.after}/main.tf#L`);
      expect(issue.body).toContain("```diff");
      expect(issue.body).toContain('status = "Inactive"');
      expect(issue.body).toContain("aws_iam_access_key.positive2");
      expect(issue.title).toContain("main.tf");
    }
    const byRule = (ruleId: string) => issues.find((i) => i.body!.includes(ruleId))!;
    expect(byRule(RULES.high).labels).toEqual(expect.arrayContaining(["keywarden", "severity:high"]));
    expect(byRule(RULES.medium).labels).toEqual(expect.arrayContaining(["keywarden", "severity:medium"]));
    expect(new Set(issues.map((i) => i.title)).size).toBe(2);

    // Every line the scan job wrote names its job, installation and repository.
    const scanned = serve.lines.find((l) => l.msg === "repository scanned")!;
    expect(scanned).toMatchObject({ queue: "scan", installation: 4242, repo: `${OWNER}/infra`, findings: 2, opened: 2 });
    expect(scanned.jobId).toBeTruthy();
    expect(scanJobLines(serve).length).toBeGreaterThan(0);

    // The same delivery again (GitHub's "Redeliver"): a scan may run, but nothing is written.
    const writes = gh.writes().length;
    const from = serve.lines.length;
    expect((await gh.redeliver(delivery.id)).status).toBe(200);
    await serve.waitForMessage("repository scanned", 20_000, from);
    await s.converge(20_000);
    // (Each push scan asks for a new check run of its commit: test/process/checks.test.ts; not an issue write.)
    expect(gh.writes().slice(writes).filter((w) => !/\/check-runs(\/|$)/.test(w.path))).toEqual([]);

    // The fix: both issues closed as completed, each with a comment naming the fixing commit.
    const fixed = await gh.commit("infra", { files: { "main.tf": FIXED }, message: "deactivate the root key" });
    expect(await gh.push("infra", fixed)).toBe(200);
    await s.until(() => gh.issues("infra").every((i) => i.state === "closed"), 20_000, "both issues closed");
    for (const issue of gh.issues("infra")) {
      expect(issue.stateReason).toBe("completed");
      expect(issue.comments.at(-1)!.body).toContain(fixed.after.slice(0, 7));
    }

    // The regression: the same two issues reopened (no new ones), each with a comment.
    const regressed = await gh.commit("infra", { files: { "main.tf": NON_COMPLIANT }, message: "reactivate it" });
    expect(await gh.push("infra", regressed)).toBe(200);
    await s.converge(20_000);
    const after = gh.issues("infra");
    expect(after.map((i) => i.number)).toEqual(issues.map((i) => i.number));
    for (const issue of after) {
      expect(issue.transitions.map((t) => [t.state, t.stateReason])).toEqual([
        ["open", null],
        ["closed", "completed"],
        ["open", "reopened"],
      ]);
      expect(issue.comments).toHaveLength(2);
    }
  }, 90_000);
});
