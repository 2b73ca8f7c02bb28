/**
 * Reading `.github/keywarden.yml`: a file that does not parse is a configuration problem (defaults
 * apply, the problem is reported), but a file GitHub could not serve is not: running on defaults
 * would file issues the configuration opts out of, or post the summary in the wrong repository.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useStrictNock } from "../helpers/strict-nock.js";
import { readOrgConfig, readRepoConfig } from "../../src/github/read-config.js";
import { captureLog, TestOctokit } from "../helpers/probot.js";
import { errorReply, GITHUB_API } from "../helpers/github-nock.js";

const CONTENTS = "/repos/acme/infra/contents/.github%2Fkeywarden.yml";

describe("readRepoConfig", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("reports a file that does not parse and uses the defaults", async () => {
    nock(GITHUB_API).get(CONTENTS).reply(200, "minSeverity: [high\n", { "content-type": "application/vnd.github.raw" });
    const { config, problems } = await readRepoConfig(new TestOctokit({ auth: "t" }), "acme", "infra", captureLog().logger);
    expect(config.minSeverity).toBe("MEDIUM");
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain("invalid YAML");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("throws when GitHub cannot serve the file, instead of scanning with the defaults", async () => {
    // Retried in place (four attempts in all), then given up: the job fails, it does not default.
    nock(GITHUB_API).get(CONTENTS).times(4).reply(502, errorReply(502, "Server Error"));
    await expect(readRepoConfig(new TestOctokit({ auth: "t" }), "acme", "infra", captureLog().logger)).rejects.toMatchObject({ status: 502 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("rides out one transient 5xx in place: the job attempt is not lost", async () => {
    nock(GITHUB_API).get(CONTENTS).reply(502, errorReply(502, "Server Error")).get(CONTENTS).reply(200, "minSeverity: high\n", { "content-type": "application/vnd.github.raw; charset=utf-8" });
    const { config, problems } = await readRepoConfig(new TestOctokit({ auth: "t" }), "acme", "infra", captureLog().logger);
    expect(config.minSeverity).toBe("HIGH");
    expect(problems).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("throws for the organization's file too: a summary must not land in the default repository by accident", async () => {
    nock(GITHUB_API).get("/repos/acme/.github/contents/.github%2Fkeywarden.yml").times(4).reply(500, errorReply(500, "Server Error"));
    await expect(readOrgConfig(new TestOctokit({ auth: "t" }), "acme", captureLog().logger)).rejects.toMatchObject({ status: 500 });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("the organization's file within an audit run", () => {
  const ORG = "/repos/acme/.github/contents/.github%2Fkeywarden.yml";
  const own = (repo: string) => `/repos/acme/${repo}/contents/.github%2Fkeywarden.yml`;
  const raw = { "content-type": "application/vnd.github.raw; charset=utf-8" };
  useStrictNock();

  it("is read once per run for the repositories without a file of their own; each still asks for its own", async () => {
    const octokit = new TestOctokit({ auth: "t" });
    const log = captureLog().logger;
    const run = { installationId: 9, auditRunId: "9-run-1" };
    nock(GITHUB_API).get(own("a")).reply(404, errorReply(404, "Not Found")).get(own("b")).reply(404, errorReply(404, "Not Found"));
    nock(GITHUB_API).get(ORG).once().reply(200, "minSeverity: high\n", raw);
    const a = await readRepoConfig(octokit, "acme", "a", log, run);
    const b = await readRepoConfig(octokit, "acme", "b", log, run);
    expect([a.config.minSeverity, b.config.minSeverity]).toEqual(["HIGH", "HIGH"]);
    // Each gets its own copy: the scan job adjusts what it is given.
    a.config.maxNewIssuesPerRun = 1;
    expect(b.config.maxNewIssuesPerRun).not.toBe(1);
  });

  it("is read again by the next run and by a push scan: a change reaches them", async () => {
    const octokit = new TestOctokit({ auth: "t" });
    const log = captureLog().logger;
    nock(GITHUB_API).get(own("a")).reply(404, errorReply(404, "Not Found")).get(ORG).reply(200, "minSeverity: high\n", raw);
    expect((await readRepoConfig(octokit, "acme", "a", log, { installationId: 9, auditRunId: "9-run-2" })).config.minSeverity).toBe("HIGH");
    nock(GITHUB_API).get(own("a")).reply(404, errorReply(404, "Not Found")).get(ORG).reply(200, "minSeverity: low\n", raw);
    expect((await readRepoConfig(octokit, "acme", "a", log, { installationId: 9, auditRunId: "9-run-3" })).config.minSeverity).toBe("LOW");
    // A push scan: Probot's own fallback, no sharing.
    nock(GITHUB_API).get(own("a")).reply(404, errorReply(404, "Not Found")).get(ORG).reply(200, "minSeverity: medium\n", raw);
    expect((await readRepoConfig(octokit, "acme", "a", log)).config.minSeverity).toBe("MEDIUM");
  });

  it("reads a repository's own file as before, and does not keep a failed read of the organization's", async () => {
    const octokit = new TestOctokit({ auth: "t" });
    const log = captureLog().logger;
    const run = { installationId: 9, auditRunId: "9-run-4" };
    nock(GITHUB_API).get(own("c")).times(2).reply(200, "minSeverity: low\n", raw);
    expect((await readRepoConfig(octokit, "acme", "c", log, run)).config.minSeverity).toBe("LOW");
    nock(GITHUB_API).get(own("d")).times(2).reply(404, errorReply(404, "Not Found"));
    nock(GITHUB_API).get(ORG).times(4).reply(500, errorReply(500, "Server Error")).get(ORG).reply(200, "minSeverity: high\n", raw);
    await expect(readRepoConfig(octokit, "acme", "d", log, run)).rejects.toMatchObject({ status: 500 });
    expect((await readRepoConfig(octokit, "acme", "d", log, run)).config.minSeverity).toBe("HIGH");
  });
});
