import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createQueues, type Queues } from "../../src/jobs/queues.js";
import { example, GITHUB_API } from "../helpers/github-nock.js";
import { WEBHOOK_SECRET } from "../helpers/probot.js";
import { openTestRedis, type TestRedis } from "../helpers/redis.js";
import { deliver, examplePayload, serveApp } from "../helpers/webhooks.js";

describe("webhooks only enqueue", () => {
  let t: TestRedis;
  let queues: Queues;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let baseUrl: string;

  beforeEach(async () => {
    t = await openTestRedis();
    queues = createQueues(t.redis, t.prefix);
    server = await serveApp(queues);
    baseUrl = server.baseUrl;
  });
  afterEach(async () => {
    await server.close();
    await queues.close();
    await t.cleanup();
  });

  /** GitHub's example push to the default branch, changing a Terraform file. */
  function terraformPush(after = "f".repeat(40)) {
    const payload = examplePayload("push", (p) => p.ref === "refs/heads/master");
    // GitHub's example creates the branch; make it an ordinary push on top of an earlier commit.
    payload.created = false;
    payload.before = "e".repeat(40);
    payload.after = after;
    payload.commits[0].modified = ["infra/iam.tf"];
    return payload;
  }

  it("queues one scan with ids and names only for a push to the default branch", async () => {
    const payload = terraformPush();
    const res = await deliver(baseUrl, "push", payload, WEBHOOK_SECRET);
    expect(res.status).toBe(200);
    const jobs = await queues.scan.getJobs(["waiting"]);
    expect(jobs.map((j) => j.data)).toEqual([
      {
        installationId: payload.installation.id,
        repositoryId: payload.repository.id,
        owner: "Codertocat",
        repo: "Hello-World",
        commitSha: "f".repeat(40),
        reason: "push",
      },
    ]);
  });

  it("keeps one waiting scan per repository however many pushes arrive", async () => {
    for (const sha of ["a", "b", "c"]) expect((await deliver(baseUrl, "push", terraformPush(sha.repeat(40)), WEBHOOK_SECRET)).status).toBe(200);
    expect(await queues.scan.getJobCountByTypes("waiting", "active", "delayed")).toBe(1);
  });

  it("ignores tag pushes, other branches and pushes without Terraform", async () => {
    const tag = examplePayload("push", (p) => p.ref.startsWith("refs/tags/") && p.installation);
    const other = terraformPush();
    other.ref = "refs/heads/feature";
    const docs = terraformPush();
    docs.commits[0].modified = ["README.md"];
    docs.commits[0].added = [];
    docs.commits[0].removed = [];
    for (const payload of [tag, other, docs]) expect((await deliver(baseUrl, "push", payload, WEBHOOK_SECRET)).status).toBe(200);
    expect(await queues.scan.getJobCountByTypes("waiting", "active", "delayed")).toBe(0);
  });

  it("rejects a delivery whose signature does not match, and queues nothing", async () => {
    const res = await deliver(baseUrl, "push", terraformPush(), "not-the-secret");
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await queues.scan.getJobCountByTypes("waiting", "active", "delayed")).toBe(0);
  });

  it("queues a scan for every repository of a new installation, and of added repositories", async () => {
    const created = examplePayload("installation", (p) => p.action === "created");
    created.repositories = [
      { id: 1, node_id: "R_1", name: "infra", full_name: "Codertocat/infra", private: true },
      { id: 2, node_id: "R_2", name: "web", full_name: "Codertocat/web", private: false },
    ];
    expect((await deliver(baseUrl, "installation", created, WEBHOOK_SECRET)).status).toBe(200);
    const added = examplePayload("installation_repositories", (p) => p.action === "added");
    expect((await deliver(baseUrl, "installation_repositories", added, WEBHOOK_SECRET)).status).toBe(200);

    const jobs = (await queues.scan.getJobs(["waiting"])).map((j) => j.data).sort((a, b) => a.repositoryId - b.repositoryId);
    const addedRepo = added.repositories_added[0];
    expect(jobs).toEqual(
      [
        { installationId: created.installation.id, repositoryId: 1, owner: "Codertocat", repo: "infra", reason: "installation" },
        { installationId: created.installation.id, repositoryId: 2, owner: "Codertocat", repo: "web", reason: "installation" },
        { installationId: added.installation.id, repositoryId: addedRepo.id, owner: "Codertocat", repo: addedRepo.name, reason: "installation" },
      ].sort((a, b) => a.repositoryId - b.repositoryId),
    );
  });

  /** GitHub's example pull_request event of `action`, delivered for an installation. */
  function pullRequestEvent(action: string, head = "d".repeat(40)) {
    const payload = examplePayload("pull_request", (p) => p.action === action);
    payload.installation = { id: 4242, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" };
    payload.pull_request.head.sha = head;
    return payload;
  }

  it("queues one check with ids and names only for an opened pull request, one waiting per pull request", async () => {
    const opened = pullRequestEvent("opened");
    expect((await deliver(baseUrl, "pull_request", opened, WEBHOOK_SECRET)).status).toBe(200);
    const jobs = await queues.check.getJobs(["waiting"]);
    expect(jobs.map((j) => j.data)).toEqual([
      { installationId: 4242, repositoryId: opened.repository.id, owner: "Codertocat", repo: "Hello-World", pullNumber: opened.number, headSha: "d".repeat(40) },
    ]);
    // Pushes to the PR while its check waits: still one waiting check (it reads the PR's head when it runs).
    for (const sha of ["a", "b"]) expect((await deliver(baseUrl, "pull_request", pullRequestEvent("synchronize", sha.repeat(40)), WEBHOOK_SECRET)).status).toBe(200);
    expect(await queues.check.getJobCountByTypes("waiting", "active", "delayed")).toBe(1);
    expect(await queues.scan.getJobCountByTypes("waiting", "active", "delayed")).toBe(0);
  });

  it("ignores labels, closing and pull requests into archived repositories", async () => {
    const archived = pullRequestEvent("reopened");
    archived.repository.archived = true;
    for (const payload of [pullRequestEvent("labeled"), pullRequestEvent("closed"), archived]) {
      expect((await deliver(baseUrl, "pull_request", payload, WEBHOOK_SECRET)).status).toBe(200);
    }
    expect(await queues.check.getJobCountByTypes("waiting", "active", "delayed")).toBe(0);
    expect((await deliver(baseUrl, "pull_request", pullRequestEvent("reopened"), WEBHOOK_SECRET)).status).toBe(200);
    expect(await queues.check.getJobCountByTypes("waiting", "active", "delayed")).toBe(1);
  });

  describe("check_run rerequested (the Re-run button)", () => {
    /** GitHub's rerequested example (no pull request listed, on the default branch), named Keywarden, for an installation. */
    function rerequested() {
      const payload = examplePayload("check_run", (p) => p.action === "rerequested");
      payload.check_run.name = "Keywarden";
      payload.installation = { id: 4242, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" };
      return payload;
    }

    beforeEach(() => {
      nock.disableNetConnect();
      nock.enableNetConnect("127.0.0.1");
      // The app's own id, asked once: the same as the example's run's app.
      nock(GITHUB_API).get("/app").reply(200, { ...example("integration"), id: rerequested().check_run.app.id, slug: "keywarden" });
    });
    afterEach(() => {
      nock.cleanAll();
      nock.enableNetConnect();
    });

    it("queues a scan for a push's run, a check per listed pull request, and nothing for another app's run", async () => {
      const push = rerequested();
      expect((await deliver(baseUrl, "check_run", push, WEBHOOK_SECRET)).status).toBe(200);
      expect((await queues.scan.getJobs(["waiting"])).map((j) => j.data)).toEqual([
        { installationId: 4242, repositoryId: push.repository.id, owner: push.repository.owner.login, repo: push.repository.name, commitSha: push.check_run.head_sha, reason: "push" },
      ]);

      const onPull = rerequested();
      const listed = examplePayload("check_run", (p) => p.check_run.pull_requests.length > 0).check_run.pull_requests[0];
      onPull.check_run.pull_requests = [{ ...listed, number: 7, base: { ...listed.base, repo: { ...listed.base.repo, id: onPull.repository.id } } }];
      onPull.check_run.check_suite.head_branch = "changes";
      expect((await deliver(baseUrl, "check_run", onPull, WEBHOOK_SECRET)).status).toBe(200);
      expect((await queues.check.getJobs(["waiting"])).map((j) => j.data)).toEqual([
        { installationId: 4242, repositoryId: onPull.repository.id, owner: onPull.repository.owner.login, repo: onPull.repository.name, pullNumber: 7, headSha: onPull.check_run.head_sha },
      ]);

      const otherApp = rerequested();
      otherApp.check_run.app.id += 1;
      otherApp.check_run.head_sha = "e".repeat(40);
      otherApp.repository.id += 1;
      expect((await deliver(baseUrl, "check_run", otherApp, WEBHOOK_SECRET)).status).toBe(200);
      expect(await queues.scan.getJobCountByTypes("waiting", "active", "delayed")).toBe(1);
      expect(await queues.check.getJobCountByTypes("waiting", "active", "delayed")).toBe(1);
      // GET /app was asked once for the three deliveries.
      expect(nock.isDone()).toBe(true);
    });
  });

  it("answers the health check", async () => {
    const res = await fetch(`${baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
