/**
 * The "Re-scan all repositories now" checkbox round trip, through the real app over HTTP: a person
 * ticks the box in the weekly summary, GitHub sends a signed `issues.edited`, the app queues a forced
 * audit of that installation (real Redis) and unticks the box (nock: GitHub's issues API).
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRescanRequested, summaryMarker, untickRescan, RESCAN_LABEL, RESCAN_MARKER } from "../../src/summary/render.js";
import { createQueues, enqueueAudit, type Queues } from "../../src/jobs/queues.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import type { FakeGitHubRepo } from "../helpers/github-nock.js";
import { botUser } from "../helpers/github-nock.js";
import { WEBHOOK_SECRET } from "../helpers/probot.js";
import { openTestRedis, type TestRedis } from "../helpers/redis.js";
import { deliver, examplePayload, serveApp } from "../helpers/webhooks.js";

const INSTALLATION = 4242;
const summaryBody = (tick: "x" | " ") =>
  `${summaryMarker("2026-W02")}\n## Keywarden compliance summary — 2026-W02\n\n- [${tick}] ${RESCAN_LABEL} ${RESCAN_MARKER}\n\n| Open findings | **2** |\n`;

let t: TestRedis;
let queues: Queues;
let server: Awaited<ReturnType<typeof serveApp>>;
let baseUrl: string;
let gh: FakeGitHub;
let issues: FakeGitHubRepo;
let payloadTemplate: Record<string, any>;

beforeEach(async () => {
  t = await openTestRedis();
  queues = createQueues(t.redis, t.prefix);
  server = await serveApp(queues);
  baseUrl = server.baseUrl;

  // GitHub's example of an edited issue, moved into an installation's summary repository.
  payloadTemplate = examplePayload("issues", (p) => p.action === "edited");
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  gh = new FakeGitHub({ owner: payloadTemplate.repository.owner.login, installationId: INSTALLATION });
  issues = gh.addRepo({ id: payloadTemplate.repository.id, name: payloadTemplate.repository.name, cloneUrl: "file:///nonexistent.git" });
  gh.start();
});
afterEach(async () => {
  await server.close();
  gh.stop();
  nock.enableNetConnect();
  await queues.close();
  await t.cleanup();
});

/** The summary issue as GitHub holds it, and the `issues.edited` delivery for `body` by `sender`. */
function edited(body: string, sender: Record<string, any> = payloadTemplate.sender, author = gh.repo(payloadTemplate.repository.name).issues.bot) {
  const number = issues.seedIssue({ title: "Keywarden compliance summary — 2026-W02", body, user: author });
  const payload = structuredClone(payloadTemplate);
  payload.issue.number = number;
  payload.issue.body = body;
  payload.issue.user = author;
  payload.changes = { body: { from: summaryBody(" ") } };
  payload.sender = sender;
  payload.installation = { id: INSTALLATION, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" };
  return { number, payload };
}

const queuedAudits = async () => (await queues.audit.getJobs(["waiting", "active", "delayed", "prioritized"])).map((j) => j.data);

describe("summary re-scan checkbox", () => {
  it("queues a forced audit of the installation and unticks the box when a person ticks it", async () => {
    const body = summaryBody("x");
    expect(isRescanRequested(body)).toBe(true);
    const { number, payload } = edited(body);
    expect(payload.sender.type).toBe("User");

    const res = await deliver(baseUrl, "issues", payload, WEBHOOK_SECRET);
    expect(res.status).toBe(200);
    expect(await queuedAudits()).toEqual([{ installationId: INSTALLATION, force: true }]);

    const patches = issues.writes();
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({ method: "PATCH", path: `/repos/${gh.owner}/${issues.repo}/issues/${number}`, body: { body: untickRescan(body) } });
    const stored = issues.issues.get(number)!;
    expect(stored.body).toBe(summaryBody(" "));
    expect(isRescanRequested(stored.body)).toBe(false);
    // The installation token was asked for the installation in the payload.
    expect(gh.requestsTo("POST", `/app/installations/${INSTALLATION}/access_tokens`)).toHaveLength(1);

    // Our own untick comes back as a webhook sent by the bot: it changes nothing.
    const echo = structuredClone(payload);
    echo.issue.body = stored.body;
    echo.sender = botUser(gh.appSlug);
    expect((await deliver(baseUrl, "issues", echo, WEBHOOK_SECRET)).status).toBe(200);
    expect(issues.writes()).toHaveLength(1);
    expect(await queuedAudits()).toHaveLength(1);
  });

  it("queues the forced audit even while the nightly audit of that installation is waiting", async () => {
    await enqueueAudit(queues, { installationId: INSTALLATION });
    const { payload } = edited(summaryBody("x"));
    expect((await deliver(baseUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);
    expect(await queuedAudits()).toEqual(expect.arrayContaining([{ installationId: INSTALLATION }, { installationId: INSTALLATION, force: true }]));
    expect(await queuedAudits()).toHaveLength(2);
  });

  it("ignores a bot that ticks the box", async () => {
    const { payload } = edited(summaryBody("x"), botUser("some-other-app", 99));
    expect((await deliver(baseUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);
    expect(await queuedAudits()).toEqual([]);
    expect(gh.writes()).toEqual([]);
  });

  it("ignores a ticked box of the same text in an issue that is not a summary", async () => {
    const notSummary = summaryBody("x").replace(summaryMarker("2026-W02"), "");
    expect(isRescanRequested(notSummary)).toBe(true);
    const { payload } = edited(notSummary);
    expect((await deliver(baseUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);
    expect(await queuedAudits()).toEqual([]);
    expect(gh.writes()).toEqual([]);
  });

  it("ignores a summary marker pasted into an issue a person wrote", async () => {
    const { number, payload } = edited(summaryBody("x"), payloadTemplate.sender, payloadTemplate.issue.user);
    expect(payload.issue.user.type).toBe("User");
    expect((await deliver(baseUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);
    expect(await queuedAudits()).toEqual([]);
    expect(gh.writes()).toEqual([]);
    expect(issues.issues.get(number)!.body).toBe(summaryBody("x"));
  });

  it("ignores a ticked box in another app's issue that carries the summary marker: no audit, no edit", async () => {
    // Another GitHub App's bot: a Bot, but not Keywarden's. Only `keywarden[bot]`'s issue is a summary.
    const otherApp = botUser("some-other-app", 99);
    const { number, payload } = edited(summaryBody("x"), payloadTemplate.sender, otherApp);
    expect(payload.issue.user).toMatchObject({ type: "Bot", login: "some-other-app[bot]" });
    expect(payload.sender.type).toBe("User");
    expect((await deliver(baseUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);
    expect(await queuedAudits()).toEqual([]);
    expect(gh.writes()).toEqual([]);
    expect(issues.writes()).toEqual([]);
    expect(issues.issues.get(number)!.body).toBe(summaryBody("x"));
  });

  it("ignores an edit of the summary that leaves the box unticked", async () => {
    const { payload } = edited(summaryBody(" ").replace("**2**", "**3**"));
    expect((await deliver(baseUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);
    expect(await queuedAudits()).toEqual([]);
    expect(gh.writes()).toEqual([]);
  });
});
