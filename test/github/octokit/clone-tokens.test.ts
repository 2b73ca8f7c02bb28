/**
 * Clone tokens (src/github/octokit/clone-tokens.ts) against nock: one token per audit group,
 * reused while it has more than the margin to live, a push scan's token narrowed to its repository
 * and never kept, a refused group falling back to the one repository, a failed mint not kept.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { useStrictNock } from "../../helpers/strict-nock.js";
import { cloneTokenFor, forgetCloneTokens, TOKEN_MARGIN_MS } from "../../../src/github/octokit/clone-tokens.js";
import { errorReply, GITHUB_API, installationTokenReply } from "../../helpers/github-nock.js";
import { TestOctokit } from "../../helpers/probot.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const app = () => new TestOctokit({ auth: "jwt", log: quiet });
const MINT = "/app/installations/7/access_tokens";
const GROUP = [101, 102, 103];
const HOUR = "2026-12-02T13:00:00Z";
const at = (iso: string) => () => Date.parse(iso);

useStrictNock();
afterEach(forgetCloneTokens);

describe("cloneTokenFor", () => {
  it("mints one contents:read token for an audit group, narrowed to its ids, shared by the group's scans", async () => {
    const bodies: unknown[] = [];
    nock(GITHUB_API)
      .post(MINT, (b) => (bodies.push(b), true))
      .reply(201, installationTokenReply({ token: "ghs_group", expiresAt: HOUR }));
    const now = at("2026-12-02T12:00:00Z");
    const tokens = await Promise.all(GROUP.map((id) => cloneTokenFor(app(), { installationId: 7, repo: `r${id}`, repositoryId: id, group: [...GROUP].reverse() }, now)));
    expect(tokens).toEqual(["ghs_group", "ghs_group", "ghs_group"]);
    expect(bodies).toEqual([{ repository_ids: [103, 102, 101], permissions: { contents: "read" } }]);
  });

  it("mints anew once the kept token has less than the margin to live", async () => {
    nock(GITHUB_API)
      .post(MINT)
      .reply(201, installationTokenReply({ token: "ghs_first", expiresAt: HOUR }))
      .post(MINT)
      .reply(201, installationTokenReply({ token: "ghs_second", expiresAt: "2026-12-02T14:00:00Z" }));
    const request = { installationId: 7, repo: "r101", repositoryId: 101, group: GROUP };
    expect(await cloneTokenFor(app(), request, at("2026-12-02T12:00:00Z"))).toBe("ghs_first");
    const justInside = () => Date.parse(HOUR) - TOKEN_MARGIN_MS;
    expect(await cloneTokenFor(app(), { ...request, repositoryId: 102 }, justInside)).toBe("ghs_first");
    expect(await cloneTokenFor(app(), { ...request, repositoryId: 103 }, () => justInside() + 1)).toBe("ghs_second");
  });

  it("gives a push scan a token narrowed to its repository by name, minted each time", async () => {
    const bodies: unknown[] = [];
    nock(GITHUB_API)
      .post(MINT, (b) => (bodies.push(b), true))
      .times(2)
      .reply(201, installationTokenReply({ token: "ghs_one", repositories: ["infra"] }));
    expect(await cloneTokenFor(app(), { installationId: 7, repo: "infra", repositoryId: 101 })).toBe("ghs_one");
    expect(await cloneTokenFor(app(), { installationId: 7, repo: "infra", repositoryId: 101, group: [202, 203] })).toBe("ghs_one");
    expect(bodies).toEqual([
      { repositories: ["infra"], permissions: { contents: "read" } },
      { repositories: ["infra"], permissions: { contents: "read" } },
    ]);
  });

  it("falls back to the scan's own repository when GitHub refuses the group (one left the installation)", async () => {
    nock(GITHUB_API)
      .post(MINT, (b) => Array.isArray(b.repository_ids))
      .reply(422, errorReply(422, "There is at least one repository that does not exist or is not accessible to the parent installation."))
      .post(MINT, (b) => b.repositories?.[0] === "r101")
      .reply(201, installationTokenReply({ token: "ghs_single", repositories: ["r101"] }));
    expect(await cloneTokenFor(app(), { installationId: 7, repo: "r101", repositoryId: 101, group: GROUP })).toBe("ghs_single");
  });

  it("keeps no failed mint: the next scan of the group asks again", async () => {
    nock(GITHUB_API)
      .post(MINT)
      .reply(403, errorReply(403, "Resource not accessible by integration"))
      .post(MINT)
      .reply(201, installationTokenReply({ token: "ghs_later", expiresAt: HOUR }));
    const request = { installationId: 7, repo: "r101", repositoryId: 101, group: GROUP };
    const now = at("2026-12-02T12:00:00Z");
    await expect(cloneTokenFor(app(), request, now)).rejects.toMatchObject({ status: 403 });
    expect(await cloneTokenFor(app(), request, now)).toBe("ghs_later");
  });
});
