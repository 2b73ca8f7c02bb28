/**
 * Which requests wait for which in Keywarden's throttled Octokit, as `serve` builds it (a real
 * Probot, the production class, nock for GitHub). The throttling plugin spaces writes 1 s apart
 * per throttle `id`: the installation's id, so one installation's writes never queue behind
 * another's. The audit's GraphQL HEAD queries go through a read-only client that does not wait in
 * that write queue at all. Proven by the order requests reach GitHub, never by a clock.
 */
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fetchDefaultBranchHeads } from "../../../src/github/default-branch-heads.js";
import { installationClient, KeywardenOctokit } from "../../../src/github/octokit/keywarden-octokit.js";
import { labelEditClient, readOnlyGraphqlClient } from "../../../src/github/octokit/lane-clients.js";
import { GITHUB_API, installationTokenReply, labelReply } from "../../helpers/github-nock.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY } from "../../helpers/probot.js";

const log = pino({ level: "silent" });
let arrivals: string[];
let waiters: { name: string; resolve: () => void }[];

/** Resolves once a request named `name` has reached GitHub. */
function arrived(name: string): Promise<void> {
  if (arrivals.includes(name)) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ name, resolve }));
}

function record(name: string): void {
  arrivals.push(name);
  for (const w of waiters.filter((x) => x.name === name)) w.resolve();
}

function productionProbot(): Probot {
  return new Probot({ appId: TEST_APP_ID, privateKey: TEST_PRIVATE_KEY, secret: "s", Octokit: KeywardenOctokit, log });
}

beforeEach(() => {
  nock.disableNetConnect();
  arrivals = [];
  waiters = [];
  // Each installation mints its token once (Probot caches it).
  for (const id of [801, 802]) nock(GITHUB_API).post(`/app/installations/${id}/access_tokens`).reply(201, installationTokenReply({ token: `ghs_pacing${id}` }));
  nock(GITHUB_API)
    .persist()
    .post(/^\/repos\/[^/]+\/[^/]+\/labels$/)
    .reply(async (request: Request) => {
      const body = (await request.json()) as { name: string };
      record(body.name);
      return [201, labelReply({ owner: "o", repo: "r", name: body.name })];
    })
    .patch(/^\/repos\/[^/]+\/[^/]+\/labels\/[^/]+$/)
    .reply(async (request: Request) => {
      const name = decodeURIComponent(new URL(request.url).pathname.split("/").at(-1)!);
      record(`edit ${name}`);
      return [200, labelReply({ owner: "o", repo: "r", name })];
    })
    .post("/graphql")
    .reply(async (request: Request) => {
      const body = (await request.json()) as { variables: { ids: string[] } };
      record(`graphql ${body.variables.ids[0]}`);
      return [200, { data: { nodes: body.variables.ids.map((id) => ({ id, defaultBranchRef: { target: { oid: "f".repeat(40) } } })) } }];
    });
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const label = (octokit: Awaited<ReturnType<typeof installationClient>>, name: string) => octokit.request("POST /repos/{owner}/{repo}/labels", { owner: "o", repo: "r", name });

describe("write pacing", () => {
  it("keeps one installation's writes apart, but not behind another installation's", async () => {
    const probot = productionProbot();
    const a = await installationClient(probot, 801, log);
    const b = await installationClient(probot, 802, log);
    // a1 and a2 queue in installation 801's limiter (a2 one second after a1); b1 is sent after
    // both were queued. A limiter shared by both installations would send it third.
    await Promise.all([label(a, "a1"), label(a, "a2"), label(b, "b1")]);
    expect(arrivals.indexOf("b1")).toBeLessThan(arrivals.indexOf("a2"));
    expect(arrivals.indexOf("a1")).toBeLessThan(arrivals.indexOf("a2"));
  });

  it("sends the audit's HEAD queries without waiting behind the installation's writes", async () => {
    const probot = productionProbot();
    const octokit = await installationClient(probot, 801, log);
    const graphql = await readOnlyGraphqlClient(octokit, 801);
    // w1 and w2 are queued first (w2 a second after w1); the look-up starts once w1 has reached
    // GitHub. Paced as a write, its three queries (250 ids) would queue behind w2.
    const sent = Promise.all([label(octokit, "w1"), label(octokit, "w2")]);
    await arrived("w1");
    const ids = Array.from({ length: 250 }, (_, i) => `R_${i}`);
    const heads = await fetchDefaultBranchHeads(graphql, ids);
    await sent;
    expect(heads.size).toBe(250);
    expect(arrivals.filter((a) => a.startsWith("graphql")).sort()).toEqual(["graphql R_0", "graphql R_100", "graphql R_200"]);
    expect(arrivals.at(-1)).toBe("w2");
  });
});

describe("label edits", () => {
  it("wait only for each other, not behind the installation's issue writes", async () => {
    const probot = productionProbot();
    const octokit = await installationClient(probot, 802, log);
    const labels = await labelEditClient(octokit, 802);
    const edit = (name: string) => labels.request("PATCH /repos/{owner}/{repo}/labels/{name}", { owner: "o", repo: "r", name, color: "5319e7" });
    const sent = Promise.all([label(octokit, "w1"), label(octokit, "w2")]);
    await arrived("w1");
    // Two edits queued while w2 waits for its second: the first goes at once, the second after it.
    const edits = Promise.all([edit("keywarden"), edit("severity:high")]);
    await arrived("edit keywarden");
    await Promise.all([sent, edits]);
    expect(arrivals.indexOf("edit keywarden")).toBeLessThan(arrivals.indexOf("w2"));
    expect(arrivals.indexOf("edit keywarden")).toBeLessThan(arrivals.indexOf("edit severity:high"));
  });
});

describe("fetchDefaultBranchHeads", () => {
  it("runs at most `concurrency` queries at once and keeps every answer", async () => {
    let inFlight = 0;
    let most = 0;
    const graphql = async <T>(_query: string, variables: Record<string, unknown>): Promise<T> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      const ids = variables.ids as string[];
      return { nodes: ids.map((id) => ({ id, defaultBranchRef: id === "R_7" ? null : { target: { oid: `oid-${id}` } } })) } as T;
    };
    const ids = Array.from({ length: 950 }, (_, i) => `R_${i}`);
    const heads = await fetchDefaultBranchHeads(graphql, ids, 3);
    expect(most).toBe(3);
    expect(heads.size).toBe(950);
    expect(heads.get("R_949")).toBe("oid-R_949");
    expect(heads.get("R_7")).toBeUndefined();
  });
});
