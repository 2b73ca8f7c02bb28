/**
 * The weekly summary job end to end: the worker `startWorkers` starts, on the real Redis, reading
 * the issues Keywarden filed (a fake of GitHub's issues API holding issues in every state) and the
 * last audit's per-repository records, then posting in the organization's `.github` repository and
 * closing last week's summary.
 */
import type { Job } from "bullmq";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentMarker, fingerprintMarker, metaMarker, type FindingMeta } from "../../src/issues/marker.js";
import { auditRecordsFrom } from "../../src/github/summary/run.js";
import { computeSummary } from "../../src/summary/compute.js";
import { isRescanRequested, renderSummary, summaryMarker, summaryTitle } from "../../src/summary/render.js";
import type { FindingIssueRecord } from "../../src/summary/types.js";
import type { SummaryOutcome } from "../../src/jobs/process-summary.js";
import { enqueueSummary, type SummaryJobData } from "../../src/jobs/queues.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { example, personUser } from "../helpers/github-nock.js";
import { startHarness, type Harness } from "../helpers/worker-harness.js";

// A Wednesday in ISO week 2026-W02; "this week" is the 7 days before it.
const NOW = new Date("2026-01-07T09:00:00Z");
const WEEK = "2026-W02";
const NO_CLONE = "file:///nonexistent/never-cloned.git";

let h: Harness;
let gh: FakeGitHub;

beforeEach(async () => {
  nock.disableNetConnect();
  gh = new FakeGitHub();
  h = await startHarness({ now: () => NOW });
});
afterEach(async () => {
  await h.close();
  gh.stop();
  nock.enableNetConnect();
});

function findingBody(meta: FindingMeta): string {
  return `**${meta.severity}** ${meta.ruleId} in \`${meta.file}\`\n\n${fingerprintMarker(meta.fingerprint)}\n${metaMarker(meta)}`;
}

const HIGH = "terraform-aws-root-account-has-active-access-keys";
const MEDIUM = "terraform-aws-iam-access-key-is-exposed";

/** Queue a summary and wait for it. */
async function summary(data: SummaryJobData) {
  const count = h.added.length;
  await enqueueSummary(h.queues, data);
  const job = h.added[count]! as Job<SummaryJobData>;
  return { outcome: await h.finished<SummaryOutcome>(job), count };
}

describe("weekly summary job", () => {
  it("posts the summary in the organization's .github repository from issues in every state, and closes last week's", async () => {
    const dotGithub = gh.addRepo({ id: 900, name: ".github", cloneUrl: NO_CLONE });
    const infra = gh.addRepo({ id: 901, name: "infra", cloneUrl: NO_CLONE });
    const web = gh.addRepo({ id: 902, name: "web", cloneUrl: NO_CLONE });
    gh.addRepo({ id: 903, name: "legacy", cloneUrl: NO_CLONE });
    gh.start();

    const meta = (fingerprint: string, ruleId: string, severity: FindingMeta["severity"], file: string): FindingMeta => ({
      fingerprint,
      ruleId,
      severity,
      file,
      resource: "aws_iam_access_key.root",
    });
    const open = meta("aaaa0000aaaa0000", HIGH, "HIGH", "iam.tf");
    const fixed = meta("bbbb0000bbbb0000", MEDIUM, "MEDIUM", "old.tf");
    const accepted = meta("cccc0000cccc0000", HIGH, "HIGH", "break-glass.tf");
    const webOpen = meta("dddd0000dddd0000", MEDIUM, "MEDIUM", "envs/prod/keys.tf");
    infra.seedIssue({ title: "open", body: findingBody(open), labels: ["keywarden", "severity:high"] });
    infra.seedIssue({ title: "fixed", body: findingBody(fixed), state: "closed", state_reason: "completed" });
    infra.seedIssue({ title: "accepted", body: findingBody(accepted), state: "closed", state_reason: "not_planned" });
    // A person quoting a finding is not a finding.
    infra.seedIssue({ title: "quote", body: findingBody(webOpen), user: personUser("mona") });
    web.seedIssue({ title: "web open", body: findingBody(webOpen) });
    const lastWeek = dotGithub.seedIssue({ title: summaryTitle("2026-W01"), body: `last week\n\n${summaryMarker("2026-W01")}` });

    const at = NOW.toISOString();
    const base = { installationId: gh.installationId, at };
    await h.state.putRepo({ ...base, repositoryId: 901, fullName: "octo-org/infra", status: "scanned", commitSha: "1".repeat(40), findings: 1 });
    await h.state.putRepo({ ...base, repositoryId: 902, fullName: "octo-org/web", status: "unchanged", commitSha: "2".repeat(40), findings: 1 });
    await h.state.putRepo({ ...base, repositoryId: 903, fullName: "octo-org/legacy", status: "failed", reason: "git clone failed: repository not found" });
    await h.state.startAudit("run-1", gh.installationId, new Date("2026-01-07T01:00:00Z"));
    await h.state.countAudit("run-1", { repositories: 4, scanned: 1, unchanged: 1, failed: 1, skipped: 1, findings: 2, opened: 1, closed: 1 });

    const { outcome } = await summary({ installationId: gh.installationId });
    expect(outcome).toMatchObject({ posted: true, repository: "octo-org/.github", week: WEEK, issue: { action: "created", closed: [lastWeek] } });

    // The new summary: exactly what the numbers of these issues and audit records render to.
    const posted = [...dotGithub.issues.values()].find((i) => i.number !== lastWeek)!;
    const createdAt = example("issue").created_at as string;
    const record = (repo: string, number: number, m: FindingMeta, state: "open" | "closed", stateReason: string | null): FindingIssueRecord => ({
      repo,
      number,
      url: `https://github.com/${repo}/issues/${number}`,
      state,
      stateReason,
      createdAt,
      closedAt: state === "closed" ? "2026-01-01T00:00:00Z" : null,
      fingerprint: m.fingerprint,
      meta: m,
    });
    const records = [
      record("octo-org/infra", 1, open, "open", null),
      record("octo-org/infra", 2, fixed, "closed", "completed"),
      record("octo-org/infra", 3, accepted, "closed", "not_planned"),
      record("octo-org/web", 1, webOpen, "open", null),
    ];
    const repositories = ["infra", "web", "legacy", ".github"].map((repo) => ({ owner: "octo-org", repo }));
    const audit = auditRecordsFrom(await h.state.reposOfInstallation(gh.installationId), repositories)!;
    const lastAudit = (await h.state.latestAudit(gh.installationId))!;
    const numbers = computeSummary({ now: NOW, issues: records, audit, issueErrors: [], lastAudit });
    expect(numbers.open.total).toBe(2);
    const expected = renderSummary(numbers);
    expect(posted).toMatchObject({ title: summaryTitle(WEEK), body: expected.body, state: "open" });
    expect(posted.user.login).toBe("keywarden[bot]");
    expect(posted.body).toContain(summaryMarker(WEEK));
    // Figure by figure, the parts that come from GitHub's issues and from the audit records in Redis.
    expect(posted.body).toContain("| Open findings | **2** (HIGH 1, MEDIUM 1) |");
    expect(posted.body).toContain("| Fixed this week | 1 |");
    expect(posted.body).toContain("| Accepted risk this week | 1 |");
    expect(posted.body).toContain("| Compliant repositories | **0 of 2** scanned (0%) |");
    expect(posted.body).toContain("| octo\\-org/legacy | failed | git clone failed: repository not found |");
    expect(posted.body).toContain(
      "Last nightly audit, started 2026-01-07 01:00 UTC: 4 repositories, 1 scanned, 1 unchanged (not cloned), 1 failed, 1 skipped; 2 findings, 1 issues opened, 1 closed.",
    );
    expect(isRescanRequested(posted.body)).toBe(false);

    // Last week's summary: a comment linking the new one, then closed as completed.
    const previous = dotGithub.issues.get(lastWeek)!;
    expect(previous).toMatchObject({ state: "closed", state_reason: "completed" });
    // The comment carries its hidden marker: a comment whose reply was lost is found, not posted twice.
    expect(dotGithub.comments.get(lastWeek)?.map((c) => c.body)).toEqual([
      `Superseded by the ${WEEK} summary: https://github.com/octo-org/.github/issues/${posted.number}\n\n${commentMarker(lastWeek, `Superseded by the ${WEEK} summary: https://github.com/octo-org/.github/issues/${posted.number}`)}`,
    ]);

    // Running it again the same week edits nothing and files nothing.
    const writes = gh.writes().length;
    const again = await summary({ installationId: gh.installationId });
    expect(again.outcome).toMatchObject({ posted: true, issue: { number: posted.number, action: "unchanged", closed: [] } });
    expect(gh.writes().slice(writes)).toEqual([]);
    expect(dotGithub.issues.size).toBe(2);
  });

  it("without an installation id, queues one summary job per installation", async () => {
    gh.installations = [4242, 5353, 6464];
    gh.addRepo({ id: 901, name: "infra", cloneUrl: NO_CLONE });
    gh.start();
    const { outcome, count } = await summary({});
    expect(outcome).toEqual({ fannedOut: 3 });
    const children = h.added.slice(count + 1) as Job<SummaryJobData>[];
    expect(children.map((j) => j.data).sort((a, b) => a.installationId! - b.installationId!)).toEqual([
      { installationId: 4242 },
      { installationId: 5353 },
      { installationId: 6464 },
    ]);
    // Each runs on its own; with no .github repository and no configuration they post nothing, and say why.
    for (const child of children) {
      expect(await h.finished(child)).toMatchObject({ posted: false, reason: expect.stringMatching(/no \.github repository/) });
    }
    expect(gh.writes()).toEqual([]);
    expect(h.log.text()).toMatch(/weekly summary skipped for octo-org/);
  });
});
