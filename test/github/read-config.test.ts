/**
 * Reading `.github/keywarden.yml`: a file that does not parse is a configuration problem (defaults
 * apply, the problem is reported), but a file GitHub could not serve is not: running on defaults
 * would file issues the configuration opts out of, or post the summary in the wrong repository.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
