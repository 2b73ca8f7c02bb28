/**
 * The nightly audit end to end: the fan-out job, the per-installation audit, and the scan jobs it
 * queues, all run by the workers `startWorkers` starts, on the real Redis, cloning real git
 * repositories, against GitHub served by nock (REST for lists and issues, GraphQL for HEADs).
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import type { Job } from "bullmq";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ruleSetId } from "../../src/jobs/audit-plan.js";
import type { AuditOutcome } from "../../src/jobs/process-audit.js";
import { enqueueAudit, type AuditJobData, type ScanJobData } from "../../src/jobs/queues.js";
import { rules } from "../../src/rules/index.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { startHarness, type Harness } from "../helpers/worker-harness.js";

const ROOT_KEY = `resource "aws_iam_access_key" "root_key" {
  user = "root"
}
`;
const CLEAN = `resource "aws_iam_user" "deploy" {
  name = "deploy"
}
`;

let h: Harness;
let gh: FakeGitHub;
const repos: TestRepo[] = [];

beforeEach(async () => {
  nock.disableNetConnect();
  gh = new FakeGitHub().start();
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
  gh.stop();
  nock.enableNetConnect();
  for (const r of repos.splice(0)) await r.remove();
});

/** A real repository with `files` committed, hosted in the fake installation. */
async function hostRepo(id: number, name: string, files: Record<string, string>, extra: { archived?: boolean; fork?: boolean } = {}) {
  const repo = await createTestRepo();
  repos.push(repo);
  const sha = await repo.commit(files);
  gh.addRepo({ id, name, cloneUrl: repo.url, ...extra });
  return { repo, sha };
}

const scanJobsAfter = (count: number) => h.added.slice(count).filter((j) => j.queueName === h.queues.scan.name) as Job<ScanJobData>[];
const auditJobsAfter = (count: number) => h.added.slice(count).filter((j) => j.queueName === h.queues.audit.name) as Job<AuditJobData>[];

/** Queue an audit of the installation and wait for it and every scan it queued to settle. */
async function audit(data: AuditJobData = { installationId: gh.installationId }) {
  const count = h.added.length;
  await enqueueAudit(h.queues, data);
  const auditJob = auditJobsAfter(count)[0]!;
  const outcome = await h.finished<AuditOutcome>(auditJob);
  const scans = scanJobsAfter(count);
  const settled = await Promise.allSettled(scans.map((j) => h.finished(j)));
  await h.drain(count); // the labels jobs of the scans' new issues
  return { outcome, scans, settled, count };
}

const scannedRepos = (scans: Job<ScanJobData>[]) => scans.map((j) => j.data.repo).sort();

describe("nightly audit", () => {
  it("fans out per installation and per repository; one failing repository delays nothing and is recorded", async () => {
    const infra = await hostRepo(101, "infra", { "main.tf": ROOT_KEY });
    const web = await hostRepo(102, "web", { "main.tf": CLEAN });
    gh.addRepo({ id: 103, name: "broken", cloneUrl: pathToFileURL(join(tmpdir(), "keywarden-no-such-repository.git")).href });
    await hostRepo(104, "old", { "main.tf": ROOT_KEY }, { archived: true });
    await hostRepo(105, "forked", { "main.tf": ROOT_KEY }, { fork: true });

    // The scheduler's job: no installation id, so it fans out to every installation.
    const count = h.added.length;
    await enqueueAudit(h.queues, {});
    const fanOut = auditJobsAfter(count)[0]!;
    expect(await h.finished(fanOut)).toEqual({ installations: 1 });
    const perInstallation = auditJobsAfter(count)[1]!;
    expect(perInstallation.data).toMatchObject({ installationId: gh.installationId });
    const outcome = await h.finished<AuditOutcome>(perInstallation);
    expect(outcome).toMatchObject({ queued: 3, unchanged: 0, skipped: 2 });

    const scans = scanJobsAfter(count);
    expect(scannedRepos(scans)).toEqual(["broken", "infra", "web"]);
    const settled = await Promise.allSettled(scans.map((j) => h.finished(j)));
    const byRepo = new Map(scans.map((j, i) => [j.data.repo, settled[i]!]));
    expect(byRepo.get("infra")).toMatchObject({ status: "fulfilled", value: { status: "scanned", findings: 2, opened: 2 } });
    expect(byRepo.get("web")).toMatchObject({ status: "fulfilled", value: { status: "scanned", findings: 0 } });
    expect(byRepo.get("broken")).toMatchObject({ status: "rejected", reason: { message: expect.stringMatching(/git clone failed/) } });

    expect(await h.state.getRepo(101)).toMatchObject({ status: "scanned", commitSha: infra.sha, findings: 2, complete: true });
    expect(await h.state.getRepo(102)).toMatchObject({ status: "scanned", commitSha: web.sha, findings: 0 });
    expect(await h.state.getRepo(103)).toMatchObject({ status: "failed", fullName: "octo-org/broken", reason: expect.stringMatching(/git clone failed/) });
    expect(await h.state.getRepo(104)).toMatchObject({ status: "skipped", reason: "archived" });
    expect(await h.state.getRepo(105)).toMatchObject({ status: "skipped", reason: "fork" });
    expect(gh.repo("infra").issues.issues.size).toBe(2);
    // Skipped repositories cost no clone token and no issue listing.
    expect(gh.requestsTo("POST", /\/access_tokens$/).filter((r) => ["old", "forked"].includes(r.body?.repositories?.[0]))).toEqual([]);
    expect(gh.requestsTo("GET", /^\/repos\/octo-org\/(old|forked)\//)).toEqual([]);

    expect(await h.state.latestAudit(gh.installationId)).toMatchObject({
      runId: outcome.runId,
      repositories: 5,
      scanned: 2,
      unchanged: 0,
      failed: 1,
      skipped: 2,
      findings: 2,
      opened: 2,
      closed: 0,
    });
  });

  it("includes archived repositories and forks when the organization's configuration says so", async () => {
    await hostRepo(104, "old", { "main.tf": ROOT_KEY }, { archived: true });
    await hostRepo(105, "forked", { "main.tf": CLEAN }, { fork: true });
    gh.setConfig(".github", "audit:\n  includeArchived: true\n  includeForks: true\n");
    const { outcome, scans, settled } = await audit();
    expect(outcome).toMatchObject({ queued: 2, skipped: 0 });
    expect(scannedRepos(scans)).toEqual(["forked", "old"]);
    expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
    expect(await h.state.getRepo(104)).toMatchObject({ status: "scanned", findings: 2 });
  });

  it("skips unchanged repositories with one GraphQL request and no clone, and picks up new ones", async () => {
    const infra = await hostRepo(101, "infra", { "main.tf": ROOT_KEY });
    const web = await hostRepo(102, "web", { "main.tf": CLEAN });
    const first = await audit();
    expect(scannedRepos(first.scans)).toEqual(["infra", "web"]);
    expect(first.settled.every((s) => s.status === "fulfilled")).toBe(true);
    // A first audit knows no HEAD yet: it asks GitHub nothing about them.
    expect(gh.requestsTo("POST", "/graphql")).toEqual([]);

    // Nothing pushed since: GitHub reports the scanned commits as HEADs.
    gh.setHead("infra", infra.sha);
    gh.setHead("web", web.sha);
    const before = gh.requests.length;
    const second = await audit();
    expect(second.outcome).toMatchObject({ queued: 0, unchanged: 2 });
    expect(second.scans).toEqual([]);
    const during = gh.requests.slice(before);
    const graphql = during.filter((r) => r.path === "/graphql");
    expect(graphql).toHaveLength(1);
    expect(graphql[0]!.body.variables.ids.sort()).toEqual([gh.nodeId("infra"), gh.nodeId("web")].sort());
    // No clone (no contents-scoped token), no per-repository call, no write.
    expect(during.filter((r) => r.body?.permissions?.contents === "read")).toEqual([]);
    expect(during.filter((r) => /^\/repos\/octo-org\/(infra|web)/.test(r.path))).toEqual([]);
    expect(during.filter((r) => r.method !== "GET" && r.path !== "/graphql" && !r.path.endsWith("/access_tokens"))).toEqual([]);
    expect(await h.state.latestAudit(gh.installationId)).toMatchObject({ repositories: 2, unchanged: 2, scanned: 0, failed: 0 });
    expect(await h.state.getRepo(101)).toMatchObject({ status: "unchanged", commitSha: infra.sha });

    // A push to infra and a repository added to the installation: both are scanned, web is not.
    const pushed = await infra.repo.commit({ "main.tf": CLEAN }, "remove the key");
    gh.setHead("infra", pushed);
    const added = await hostRepo(103, "added-later", { "main.tf": ROOT_KEY });
    const third = await audit();
    expect(scannedRepos(third.scans)).toEqual(["added-later", "infra"]);
    expect(third.settled.every((s) => s.status === "fulfilled")).toBe(true);
    expect(await h.state.getRepo(101)).toMatchObject({ status: "scanned", commitSha: pushed, findings: 0 });
    expect(await h.state.getRepo(103)).toMatchObject({ status: "scanned", commitSha: added.sha, findings: 2 });
    expect(await h.state.latestAudit(gh.installationId)).toMatchObject({ repositories: 3, unchanged: 1, scanned: 2, findings: 2, opened: 2, closed: 2 });

    // Forced (the summary's checkbox): everything is scanned, and no HEAD is asked for.
    const graphqlBefore = gh.requestsTo("POST", "/graphql").length;
    const forced = await audit({ installationId: gh.installationId, force: true });
    expect(scannedRepos(forced.scans)).toEqual(["added-later", "infra", "web"]);
    expect(forced.outcome).toMatchObject({ queued: 3, unchanged: 0 });
    expect(gh.requestsTo("POST", "/graphql").length).toBe(graphqlBefore);
  });

  it("asks for HEADs with at most one GraphQL request per 100 repositories", async () => {
    const ruleSet = ruleSetId(h.deps.version, rules.map((r) => r.meta.id));
    const sha = "a".repeat(40);
    for (let i = 0; i < 250; i++) {
      const id = 1000 + i;
      gh.addRepo({ id, name: `svc-${i}`, cloneUrl: pathToFileURL(join(tmpdir(), "keywarden-never-cloned.git")).href });
      gh.setHead(`svc-${i}`, sha);
      await h.state.putRepo({
        repositoryId: id,
        fullName: `octo-org/svc-${i}`,
        installationId: gh.installationId,
        status: "scanned",
        commitSha: sha,
        ruleSet,
        complete: true,
        findings: 0,
        at: new Date(0).toISOString(),
      });
    }
    const { outcome, scans } = await audit();
    expect(outcome).toMatchObject({ queued: 0, unchanged: 250 });
    expect(scans).toEqual([]);
    const graphql = gh.requestsTo("POST", "/graphql");
    expect(graphql).toHaveLength(3);
    expect(graphql.map((r) => r.body.variables.ids.length)).toEqual([100, 100, 50]);
    // Listing 250 repositories takes 3 pages; nothing is asked per repository.
    expect(gh.requestsTo("GET", "/installation/repositories")).toHaveLength(3);
    expect(gh.requestsTo("GET", /^\/repos\/octo-org\/svc-/)).toEqual([]);
  });

  it("does not skip a repository whose last scan ran with another rule set", async () => {
    const infra = await hostRepo(101, "infra", { "main.tf": CLEAN });
    await h.state.putRepo({
      repositoryId: 101,
      fullName: "octo-org/infra",
      installationId: gh.installationId,
      status: "scanned",
      commitSha: infra.sha,
      ruleSet: "an-older-rule-set",
      complete: true,
      at: new Date(0).toISOString(),
    });
    gh.setHead("infra", infra.sha);
    const { outcome, scans } = await audit();
    expect(outcome).toMatchObject({ queued: 1, unchanged: 0 });
    expect(scannedRepos(scans)).toEqual(["infra"]);
  });
});
