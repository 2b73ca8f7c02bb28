/**
 * Operations, on the built `keywarden serve` against the GitHub stand-in and real Redis: /healthz,
 * /readyz and /metrics on the web role (Probot's server) and on a worker-only process (its own
 * port), with Redis up, Redis down and the app's credentials refused; the metrics as Prometheus
 * text, moving when jobs run; job progress and `keywarden status`; and the queue dashboard's basic
 * auth (none, wrong, right, unconfigured) and read-only mode.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import { Keywarden } from "./helpers/child.js";
import { ADMIN, failedScan, spawnWith, withQueue } from "./helpers/operations.js";
import { freePort } from "./helpers/ports.js";
import { sampleValue, scrape } from "./helpers/prometheus.js";
import { OwnRedis } from "./helpers/redis.js";
import { INSTALLATION_ID, OWNER, Scenario } from "./helpers/scenario.js";
import { NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

const RULES = { high: "terraform-aws-root-account-has-active-access-keys", medium: "terraform-aws-iam-access-key-is-exposed" };

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

describe("operations endpoints", () => {
  it("web role: healthy and ready, Prometheus metrics that move when jobs run, progress and keywarden status", async () => {
    const s = await Scenario.start({ jobLockMs: 3000 });
    const { gh } = s;
    await gh.createRepo("infra", { files: { "README.md": "# infra\n" } });
    await gh.createRepo("network", { files: { "main.tf": NON_COMPLIANT } });
    await s.serve();
    const base = `http://127.0.0.1:${s.port}`;

    expect(await getJson(`${base}/healthz`)).toMatchObject({ status: 200, body: { ok: true } });
    const ready = await getJson(`${base}/readyz`);
    expect(ready).toMatchObject({ status: 200, body: { ok: true, failing: [], checks: { redis: { ok: true }, github: { ok: true } } } });
    const appChecks = gh.requests.filter((r) => r.path === "/app").length;
    // Cached: a second probe right away does not ask GitHub again.
    expect((await getJson(`${base}/readyz`)).status).toBe(200);
    expect(gh.requests.filter((r) => r.path === "/app").length).toBe(appChecks);

    const before = await scrape(`${base}/metrics`);
    expect(before.get("keywarden_repositories_total")?.type).toBe("counter");
    expect(sampleValue(before, "keywarden_repositories_total", { outcome: "scanned" })).toBe(0);
    expect(sampleValue(before, "keywarden_issue_writes_total", { kind: "create" })).toBe(0);
    expect(sampleValue(before, "keywarden_jobs", { queue: "scan", state: "completed" })).toBe(0);
    expect(sampleValue(before, "keywarden_redis_up")).toBe(1);
    expect(sampleValue(before, "keywarden_ready", { check: "redis" })).toBe(1);
    expect(sampleValue(before, "keywarden_ready", { check: "github" })).toBe(1);
    expect(sampleValue(before, "keywarden_build_info")).toBe(1);
    expect(sampleValue(before, "process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(sampleValue(before, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

    // A push: one scan, two findings, two issues.
    const added = await gh.commit("infra", { files: { "main.tf": NON_COMPLIANT }, message: "add a key for root" });
    expect(await gh.push("infra", added)).toBe(200);
    s.expected = seedFindings("infra");
    await s.converge(30_000);

    const after = await scrape(`${base}/metrics`);
    expect(sampleValue(after, "keywarden_repositories_total", { outcome: "scanned" })).toBe(1);
    expect(sampleValue(after, "keywarden_findings_total", { rule: RULES.high, severity: "HIGH" })).toBe(1);
    expect(sampleValue(after, "keywarden_findings_total", { rule: RULES.medium, severity: "MEDIUM" })).toBe(1);
    expect(sampleValue(after, "keywarden_issue_writes_total", { kind: "create" })).toBe(2);
    expect(sampleValue(after, "keywarden_jobs", { queue: "scan", state: "completed" })).toBe(1);
    expect(sampleValue(after, "keywarden_job_duration_seconds_count", { queue: "scan", outcome: "completed" })).toBe(1);
    expect(sampleValue(after, "keywarden_job_duration_seconds_bucket", { queue: "scan", outcome: "completed", le: "+Inf" })).toBe(1);
    expect(sampleValue(after, "keywarden_clone_duration_seconds_count")).toBe(1);
    expect(sampleValue(after, "keywarden_clone_size_bytes_sum")).toBeGreaterThan(1000);
    const remaining = sampleValue(after, "keywarden_github_rate_limit_remaining", { resource: "core" });
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(5000);
    // No label that grows with the organisation: no repository, installation or job id anywhere.
    const labelValues = [...after.values()].flatMap((f) => f.samples.flatMap((x) => Object.values(x.labels)));
    for (const value of labelValues) expect(value).not.toMatch(/infra|network|octo-org|4242/);
    for (const name of after.keys()) {
      if (name.startsWith("keywarden_")) expect(name, "Prometheus naming").toMatch(/^keywarden_[a-z_]+$/);
      if (after.get(name)!.type === "counter") expect(name).toMatch(/_total$/);
    }

    // An audit: infra is unchanged since its scan, network is scanned; the audit job's progress is
    // the run's repositories done out of total, each scan job's progress its last stage.
    await s.command(["audit"]);
    s.expected.push(...seedFindings("network"));
    await s.converge(30_000);
    const progress = await withQueue(s, "audit", async (q) => (await q.getJobs(["completed"])).map((j) => ({ data: j.data, progress: j.progress })));
    expect(progress.find((j) => j.data.installationId === INSTALLATION_ID)?.progress).toEqual({
      done: 2,
      total: 2,
      scanned: 1,
      unchanged: 1,
      skipped: 0,
      failed: 0,
      pending: 0,
    });
    const stages = await withQueue(s, "scan", async (q) => (await q.getJobs(["completed"])).map((j) => j.progress));
    expect(stages).toEqual([{ stage: "issues" }, { stage: "issues" }]);
    const audited = await scrape(`${base}/metrics`);
    expect(sampleValue(audited, "keywarden_repositories_total", { outcome: "scanned" })).toBe(2);
    expect(sampleValue(audited, "keywarden_repositories_total", { outcome: "unchanged" })).toBe(1);
    expect(sampleValue(audited, "keywarden_jobs", { queue: "audit", state: "completed" })).toBeGreaterThanOrEqual(2);

    // keywarden status, for people and for scripts, from Redis alone.
    const status = await s.command(["status", "--json"]);
    const report = JSON.parse(Buffer.concat(status.stdout).toString("utf8"));
    expect(report.queues.scan).toMatchObject({ completed: 2, failed: 0, active: 0 });
    expect(report.installations).toEqual([
      expect.objectContaining({
        installationId: INSTALLATION_ID,
        failures: [],
        lastAudit: expect.objectContaining({ repositories: 2, scanned: 1, unchanged: 1, findings: 2, opened: 2, progress: expect.objectContaining({ done: 2, total: 2 }) }),
      }),
    ]);
    const text = await statusText(s);
    expect(text).toContain(`installation ${INSTALLATION_ID}: audit `);
    expect(text).toContain("2 of 2 repositories done: 1 scanned, 1 unchanged, 0 skipped, 0 failed; 2 findings, 2 issues opened, 0 closed");
    expect(text).toMatch(/^ {2}scan +0 +0 +0 +0 +0 +0 +2$/m);

    // Unconfigured dashboard: there is none.
    expect((await fetch(`${base}/admin/queues`, { headers: basic("admin", "x") })).status).toBe(404);
  }, 120_000);

  it("with Redis down: alive, not ready naming redis, metrics still served, on the web role and on a worker's own port; status fails in one line", async () => {
    // The children's Redis is a server of the test's own, stopped and started again; the test's
    // own queue watch stays on the shared one (it must not be the one reconnecting).
    const redis = await OwnRedis.start();
    const workerPort = await freePort();
    const s = await Scenario.start();
    s.afterClose.push(() => redis.close());
    const env = { REDIS_URL: redis.url, KEYWARDEN_WORKER_PORT: String(workerPort) };
    await s.gh.createRepo("infra", { files: { "README.md": "# infra\n" } });
    const web = spawnWith(s, ["serve", "--role", "web"], env);
    const worker = spawnWith(s, ["serve", "--role", "worker"], env);
    await Promise.all([web.waitForMessage("keywarden serve ready", 20_000), worker.waitForMessage("keywarden serve ready", 20_000)]);
    const web_ = `http://127.0.0.1:${s.port}`;
    const worker_ = `http://127.0.0.1:${workerPort}`;
    for (const base of [web_, worker_]) {
      expect(await getJson(`${base}/readyz`), base).toMatchObject({ status: 200, body: { ok: true, failing: [] } });
      expect(sampleValue(await scrape(`${base}/metrics`), "keywarden_redis_up"), base).toBe(1);
    }
    // A push the web role takes and the worker scans: each process counts what it did itself, and
    // both report the same job counts, read from Redis.
    const added = await s.gh.commit("infra", { files: { "main.tf": NON_COMPLIANT }, message: "add a key for root" });
    expect(await s.gh.push("infra", added)).toBe(200);
    await worker.waitForMessage("repository scanned", 30_000);
    await s.until(() => s.gh.issues("infra").length === 2, 10_000, "two issues filed");
    const [webMetrics, workerMetrics] = [await scrape(`${web_}/metrics`), await scrape(`${worker_}/metrics`)];
    expect(sampleValue(workerMetrics, "keywarden_repositories_total", { outcome: "scanned" })).toBe(1);
    expect(sampleValue(webMetrics, "keywarden_repositories_total", { outcome: "scanned" })).toBe(0);
    expect(sampleValue(workerMetrics, "keywarden_issue_writes_total", { kind: "create" })).toBe(2);
    for (const metrics of [webMetrics, workerMetrics]) expect(sampleValue(metrics, "keywarden_jobs", { queue: "scan", state: "completed" })).toBe(1);
    // The dashboard lives on the web role only; the worker's port has nothing else.
    expect((await fetch(`${worker_}/admin/queues`)).status).toBe(404);
    expect((await fetch(`${worker_}/api/github/webhooks`)).status).toBe(404);

    await redis.kill();
    await Promise.all([web.waitForMessage(/^Redis connection lost/, 10_000), worker.waitForMessage(/^Redis connection lost/, 10_000)]);
    for (const base of [web_, worker_]) {
      const startedAt = Date.now();
      const ready = await getJson(`${base}/readyz`);
      expect(Date.now() - startedAt, "readiness answers at once").toBeLessThan(2000);
      expect(ready, base).toMatchObject({ status: 503, body: { ok: false, failing: ["redis"], checks: { redis: { ok: false }, github: { ok: true } } } });
      expect(await getJson(`${base}/healthz`), base).toMatchObject({ status: 200, body: { ok: true } });
      const metrics = await scrape(`${base}/metrics`);
      expect(sampleValue(metrics, "keywarden_redis_up"), base).toBe(0);
      expect(sampleValue(metrics, "keywarden_ready", { check: "redis" }), base).toBe(0);
      expect(sampleValue(metrics, "keywarden_jobs", { queue: "scan", state: "waiting" }), "no stale job counts").toBeUndefined();
    }
    const status = spawnWith(s, ["status"], env);
    const exit = await status.waitForExit(15_000);
    expect(exit.code).toBe(2);
    const lines = status.stderrText().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toMatch(new RegExp(`^keywarden status: cannot reach Redis at redis://127\\.0\\.0\\.1:${redis.port}: .*ECONNREFUSED`));

    await redis.launch();
    await Promise.all([web.waitForMessage("Redis connection restored", 20_000), worker.waitForMessage("Redis connection restored", 20_000)]);
    for (const base of [web_, worker_]) expect((await getJson(`${base}/readyz`)).status, base).toBe(200);
  }, 90_000);
});

describe("the queue dashboard", () => {
  it("asks for credentials, refuses wrong ones, serves the right ones read-only, and lets a writable one retry; readiness names GitHub when the app's key is refused", async () => {
    const s = await Scenario.start({ env: { ...ADMIN } });
    const serve = await s.serve();
    const base = `http://127.0.0.1:${s.port}/admin/queues`;

    const none = await fetch(base);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Basic realm="Keywarden"/);
    for (const [user, password] of [
      ["ops", "wrong"],
      ["root", ADMIN.KEYWARDEN_ADMIN_PASSWORD],
      ["ops", ""],
      ["", ""],
    ] as const) {
      expect((await fetch(base, { headers: basic(user, password) })).status, `${user}:${password}`).toBe(401);
    }
    expect((await fetch(base, { headers: { authorization: `Bearer ${ADMIN.KEYWARDEN_ADMIN_PASSWORD}` } })).status).toBe(401);

    const ok = basic(ADMIN.KEYWARDEN_ADMIN_USER, ADMIN.KEYWARDEN_ADMIN_PASSWORD);
    const page = await fetch(base, { headers: ok });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Keywarden</title>");
    const queues = await getJson(`${base}/api/queues`, { headers: ok });
    expect(queues.status).toBe(200);
    expect(queues.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(["audit", "check", "labels", "scan", "summary"]);
    expect(queues.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);

    // A scan that fails for real (the repository is not there), then a retry refused.
    const id = await failedScan(s, serve, "ghost");
    const retry = await fetch(`${base}/api/queues/scan/${id}/retry`, { method: "PUT", headers: ok });
    expect(retry.status).toBe(403);
    expect(await withQueue(s, "scan", async (q) => (await q.getJob(id))!.getState())).toBe("failed");
    const job = await getJson(`${base}/api/queues/scan/${id}`, { headers: ok });
    expect(job.body.job.failedReason).toMatch(/Not Found/);
    // keywarden status names the repository and the reason.
    const status = await statusText(s);
    expect(status).toMatch(new RegExp(`failed ${OWNER}/ghost \\(.+\\): .*Not Found`));
    expect(status).toMatch(new RegExp(`scan #${id} {2}scan ${OWNER}/ghost {2}.* after 1 attempt: .*Not Found`));

    // A web process whose private key GitHub refuses is alive but not ready, and says why.
    const wrong = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const wrongPort = await freePort();
    const refused = spawnWith(s, ["serve", "--role", "web"], { PRIVATE_KEY: wrong.privateKey, PORT: String(wrongPort) });
    await refused.waitForMessage("keywarden serve ready", 20_000);
    const ready = await getJson(`http://127.0.0.1:${wrongPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ok: false, failing: ["github"], checks: { redis: { ok: true }, github: { ok: false } } });
    expect(ready.body.checks.github.error).toMatch(/^GET \/app answered 401/);
    expect((await getJson(`http://127.0.0.1:${wrongPort}/healthz`)).status).toBe(200);
    expect(sampleValue(await scrape(`http://127.0.0.1:${wrongPort}/metrics`), "keywarden_ready", { check: "github" })).toBe(0);
    const refusals = () => s.gh.requests.filter((r) => r.path === "/app" && r.status === 401).length;
    const asked = refusals();
    expect((await getJson(`http://127.0.0.1:${wrongPort}/readyz`)).status).toBe(503);
    expect(refusals(), "a failed check is kept for a few seconds").toBe(asked);

    // Writable (KEYWARDEN_ADMIN_WRITE=true): the same retry goes through and the job runs again.
    serve.kill("SIGKILL");
    await serve.exited;
    const writable = spawnWith(s, ["serve"], { KEYWARDEN_ADMIN_WRITE: "true" });
    await writable.waitForMessage("keywarden serve ready", 20_000);
    const writableQueues = await getJson(`${base}/api/queues`, { headers: ok });
    expect(writableQueues.body.queues.every((q: { readOnlyMode: boolean }) => !q.readOnlyMode)).toBe(true);
    const retried = await fetch(`${base}/api/queues/scan/${id}/retry`, { method: "PUT", headers: ok });
    expect(retried.status).toBe(204);
    await writable.waitForLine((l) => l.msg === "job failed" && l.jobId === id, { timeoutMs: 20_000, what: "the retried job failing again" });
  }, 90_000);
});

/**
 * `keywarden status` for people: a report, not log lines, so it runs outside the scenario's
 * children (whose every stdout line must be JSON); its output is checked for tokens here instead.
 */
async function statusText(s: Scenario): Promise<string> {
  const child = new Keywarden(["status"], s.env(), s.cwd);
  const exit = await child.waitForExit(15_000);
  const text = child.output().toString("utf8");
  expect(exit.code, text).toBe(0);
  for (const token of s.gh.tokensIssued) expect(text).not.toContain(token);
  return Buffer.concat(child.stdout).toString("utf8");
}
