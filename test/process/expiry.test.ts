/**
 * Expiring exceptions on the built `keywarden serve` and `keywarden audit` against the GitHub
 * stand-in and real Redis, with the real clock: dates are relative to today (UTC), so nothing in
 * the child is faked. Two root keys, each with an issue; both suppressed in code with
 * `exp:` 30 days ahead → both issues closed as not planned; then one exception's date set to
 * yesterday → that key's issues reopened, each with exactly one comment saying the exception
 * expired, the other key's left closed; the nightly audit scans the same commit again (a dated
 * exception makes the scan incomplete) and writes nothing more.
 */
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import { RULES, type Expected } from "./helpers/census.js";
import { OWNER, Scenario } from "./helpers/scenario.js";

checkEveryScenario();

const DAY_MS = 86_400_000;
const utcDate = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
const IGNORE = `${RULES.high},${RULES.medium}`;

/** Two keys for root; each preceded by its exception comment when given. */
function keys(exceptions: { expiring?: string; lasting?: string } = {}): string {
  const block = (name: string, exception: string | undefined) =>
    `${exception ? `# keywarden:ignore ${IGNORE} break-glass key, vaulted exp:${exception}\n` : ""}resource "aws_iam_access_key" "${name}" {\n  user   = "root"\n  status = "Active"\n}\n`;
  return `${block("expiring", exceptions.expiring)}\n${block("lasting", exceptions.lasting)}`;
}

const findings = (resource: string): Expected[] => [RULES.high, RULES.medium].map((ruleId) => ({ repo: "infra", file: "main.tf", resource: `aws_iam_access_key.${resource}`, ruleId }));
const ofResource = (s: Scenario, resource: string) => s.gh.issues("infra").filter((i) => i.body?.includes(`aws_iam_access_key.${resource}`));
const expiredComments = (issue: { comments: { body: string }[] }) => issue.comments.filter((c) => /exception in code for this finding expired/.test(c.body));

describe("keywarden serve: an expiring exception reopens its issue", () => {
  it("closes both as not planned while the exceptions hold, reopens once the one that expired yesterday, leaves the one expiring in 30 days, and an audit adds no second comment", async () => {
    const s = await Scenario.start({ jobLockMs: 3000 });
    const { gh } = s;
    await gh.createRepo("infra", { files: { "README.md": "# infra\n" } });
    const serve = await s.serve();

    // Two live keys: four issues (both rules each).
    const live = await gh.commit("infra", { files: { "main.tf": keys() }, message: "two root keys" });
    expect(await gh.push("infra", live)).toBe(200);
    s.expected = [...findings("expiring"), ...findings("lasting")];
    await s.converge(30_000);

    // Both suppressed in code until 30 days from now: all four closed as not planned, citing the comment.
    const later = utcDate(30);
    const suppressed = await gh.commit("infra", { files: { "main.tf": keys({ expiring: later, lasting: later }) }, message: "accept both for now" });
    expect(await gh.push("infra", suppressed)).toBe(200);
    await s.until(() => gh.issues("infra").every((i) => i.state === "closed"), 30_000, "all four issues closed");
    for (const issue of gh.issues("infra")) {
      expect(issue.stateReason).toBe("not_planned");
      expect(issue.comments).toHaveLength(1);
      expect(issue.comments[0]!.body).toContain("suppressed in code");
    }

    // One exception's date moved to yesterday: live again, its two issues reopened with one comment each.
    const yesterday = utcDate(-1);
    const expired = await gh.commit("infra", { files: { "main.tf": keys({ expiring: yesterday, lasting: later }) }, message: "the break-glass exception ended yesterday" });
    expect(await gh.push("infra", expired)).toBe(200);
    // The census's "converged" wants every filed issue open: here two stay closed on purpose.
    const settled = (n: number) => async () =>
      ofResource(s, "expiring").every((i) => i.state === "open" && i.comments.length === n) && (await s.queues.pending()) === 0;
    await s.until(settled(2), 30_000, "the expired exception's issues reopened with their comment");
    const reopened = ofResource(s, "expiring");
    expect(reopened).toHaveLength(2);
    for (const issue of reopened) {
      expect(issue.transitions.map((t) => [t.state, t.stateReason])).toEqual([
        ["open", null],
        ["closed", "not_planned"],
        ["open", "reopened"],
      ]);
      expect(issue.comments).toHaveLength(2);
      expect(expiredComments(issue)).toHaveLength(1);
      // Markdown-escaped by the neutraliser: compare the text as GitHub shows it.
      expect(expiredComments(issue)[0]!.body.replace(/\\/g, "")).toContain(`expired on \`${yesterday}\``);
      expect(issue.body!.replace(/\\/g, "")).toContain(`expired on ${yesterday}`);
    }
    for (const issue of ofResource(s, "lasting")) {
      expect(issue).toMatchObject({ state: "closed", stateReason: "not_planned" });
      expect(issue.comments).toHaveLength(1);
      expect(issue.transitions).toHaveLength(2);
    }

    // The nightly audit of the same commit: scanned again, not skipped as unchanged (a dated
    // exception changes the findings without a commit), and it writes nothing.
    const writes = gh.writes().length;
    const from = serve.lines.length;
    await s.command(["audit"]);
    expect(await serve.waitForMessage("audit queued", 20_000, from)).toMatchObject({ queued: 1, unchanged: 0 });
    const scanned = await serve.waitForMessage("repository scanned", 30_000, from);
    expect(scanned).toMatchObject({ repo: `${OWNER}/infra`, findings: 2, suppressed: 2, opened: 0, closed: 0 });
    await s.until(settled(2), 30_000, "the audit done");
    expect(gh.writes().slice(writes)).toEqual([]);
    for (const issue of ofResource(s, "expiring")) expect(expiredComments(issue)).toHaveLength(1);
    expect(serve.lines.filter((l) => l.msg === "job failed")).toEqual([]);
  }, 120_000);
});
