/**
 * What Keywarden's Octokit repeats in place, and what it never repeats blindly (nock, GitHub's
 * error shapes). plugin-retry: 5xx and dropped connections, for every request but a POST not
 * marked repeatable. The throttling plugin: rate limits, for every request, after the wait GitHub
 * asks for. Waits are scaled to milliseconds (test/helpers/probot.ts).
 */
import nock from "nock";
import { describe, expect, it } from "vitest";
import { useStrictNock } from "../../helpers/strict-nock.js";
import { fetchDefaultBranchHeads } from "../../../src/github/default-branch-heads.js";
import { mintCloneToken } from "../../../src/github/octokit/keywarden-octokit.js";
import { errorReply, GITHUB_API, installationTokenReply, issueReply } from "../../helpers/github-nock.js";
import { TestOctokit, throttledTestOctokit } from "../../helpers/probot.js";

const ISSUES = "/repos/acme/infra/issues";
const SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const client = () => new TestOctokit({ auth: "t", log: quiet });
const listing = [issueReply({ owner: "acme", repo: "infra", number: 1, title: "t", body: "b" })];
/** A connection dropped before any reply (nock's replyWithError never settles under fetch). */
const dropped = (_request: unknown, callback: (error: Error) => void) => callback(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));

useStrictNock();

describe("plugin-retry, in place", () => {
  it("repeats a GET answered 502, and one whose connection dropped", async () => {
    nock(GITHUB_API).get(ISSUES).reply(502, errorReply(502, "Server Error")).get(ISSUES).reply(dropped as never).get(ISSUES).reply(200, listing);
    const { data } = await client().request("GET /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra" });
    expect(data).toHaveLength(1);
  });

  it("gives a PATCH four attempts in all, then the error", async () => {
    const api = nock(GITHUB_API).patch(`${ISSUES}/1`).times(4).reply(500, errorReply(500, "Server Error"));
    await expect(client().request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: "acme", repo: "infra", issue_number: 1, body: "x" })).rejects.toMatchObject({ status: 500 });
    expect(api.isDone()).toBe(true);
  });

  it("never repeats a POST that creates something: GitHub may have applied it before the 502", async () => {
    nock(GITHUB_API).post(ISSUES).reply(502, errorReply(502, "Server Error"));
    await expect(client().request("POST /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra", title: "t" })).rejects.toMatchObject({ status: 502 });
    nock(GITHUB_API).post(`${ISSUES}/1/comments`).reply(dropped as never);
    await expect(client().request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "acme", repo: "infra", issue_number: 1, body: "c" })).rejects.toMatchObject({ status: 500 });
    // nock would refuse a second request: none was sent.
  });

  it("repeats a POST marked repeatable: minting a clone token", async () => {
    nock(GITHUB_API)
      .post("/app/installations/7/access_tokens")
      .reply(502, errorReply(502, "Server Error"))
      .post("/app/installations/7/access_tokens")
      .reply(dropped as never)
      .post("/app/installations/7/access_tokens", (b) => b.repositories?.[0] === "infra" && b.permissions?.contents === "read")
      .reply(201, installationTokenReply({ token: "ghs_cloneToken", repositories: ["infra"] }));
    expect(await mintCloneToken(client(), 7, "infra")).toBe("ghs_cloneToken");
  });

  it("repeats the GraphQL HEAD query", async () => {
    nock(GITHUB_API)
      .post("/graphql")
      .reply(503, errorReply(503, "Service Unavailable"))
      .post("/graphql")
      .reply(200, { data: { nodes: [{ id: "R_1", defaultBranchRef: { target: { oid: "abc" } } }] } });
    const octokit = client();
    expect(await fetchDefaultBranchHeads(octokit.graphql, ["R_1"])).toEqual(new Map([["R_1", "abc"]]));
  });

  it("does not repeat answers (403, 404, 410, 422), nor a 429, which is the throttling plugin's", async () => {
    for (const status of [403, 404, 410, 422, 429]) {
      nock(GITHUB_API).get(ISSUES).reply(status, errorReply(status, "answer"));
      await expect(client().request("GET /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra" })).rejects.toMatchObject({ status });
    }
  });
});

describe("the throttling plugin, in place", () => {
  it("waits out a secondary rate limit's retry-after, then repeats a GET", async () => {
    nock(GITHUB_API).get(ISSUES).reply(403, errorReply(403, SECONDARY), { "retry-after": "40" }).get(ISSUES).reply(200, listing);
    const started = Date.now();
    const { data } = await throttledTestOctokit({ auth: "t" }).request("GET /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra" });
    expect(data).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40); // 40 s, scaled to milliseconds
  });

  it("repeats a create refused for a secondary limit (429 or 403): refused, it was not applied", async () => {
    nock(GITHUB_API)
      .post(ISSUES)
      .reply(429, errorReply(429, SECONDARY), { "retry-after": "3" })
      .post(ISSUES)
      .reply(201, issueReply({ owner: "acme", repo: "infra", number: 5, title: "t", body: "b" }));
    const { data } = await throttledTestOctokit({ auth: "t" }).request("POST /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra", title: "t" });
    expect(data.number).toBe(5);
  });

  it("waits for the reset of an exhausted primary limit", async () => {
    const reset = Math.floor(Date.now() / 1000) + 2;
    nock(GITHUB_API)
      .get(ISSUES)
      .reply(403, errorReply(403, "API rate limit exceeded for installation."), { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) })
      .get(ISSUES)
      .reply(200, listing);
    const { data } = await throttledTestOctokit({ auth: "t" }).request("GET /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra" });
    expect(data).toHaveLength(1);
  });

  it("gives up rather than wait longer than two minutes in place: the job's back-off takes over", async () => {
    nock(GITHUB_API).get(ISSUES).reply(403, errorReply(403, SECONDARY), { "retry-after": "3600" });
    await expect(throttledTestOctokit({ auth: "t" }).request("GET /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra" })).rejects.toMatchObject({ status: 403 });
  });

  it("gives up after three limits in a row", async () => {
    nock(GITHUB_API).get(ISSUES).times(4).reply(403, errorReply(403, SECONDARY), { "retry-after": "1" });
    await expect(throttledTestOctokit({ auth: "t" }).request("GET /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra" })).rejects.toMatchObject({ status: 403 });
  });

  it("does not take a plain 403 (a permission) for a rate limit", async () => {
    nock(GITHUB_API).get(ISSUES).reply(403, errorReply(403, "Resource not accessible by integration"));
    await expect(throttledTestOctokit({ auth: "t" }).request("GET /repos/{owner}/{repo}/issues", { owner: "acme", repo: "infra" })).rejects.toMatchObject({ status: 403 });
  });
});
