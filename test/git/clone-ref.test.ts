/**
 * Cloning a pull request's head (`refs/pull/N/head`) or a branch by ref, against the GitHub
 * stand-in's git smart HTTP: with a token for the base repository only, a fork's pull request is
 * fetched from the base repository (where GitHub keeps the ref), with the same blobless, shallow,
 * sparse fetch as a branch clone. A hostile ref never reaches git.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkFetchRef, CloneError, withTerraformCheckout, type CloneOptions } from "../../src/git/clone.js";
import { OWNER, startFixture, type Fixture } from "../github/stand-in-fixture.js";
import { listFiles } from "../helpers/git-repo.js";

let f: Fixture;
const KEY = 'resource "aws_iam_access_key" "root" {\n  user = "root"\n}\n';

beforeAll(async () => {
  f = await startFixture();
  await f.gh.createRepo("infra", { files: { "main.tf": "# main\n", "README.md": "# readme\n", "assets/big.bin": Buffer.alloc(200_000, 1) } });
});
afterAll(async () => {
  await f?.gh.close();
});

async function options(ref: string): Promise<CloneOptions> {
  return {
    cloneUrl: `${f.gh.origin}/${OWNER}/infra.git`,
    ref,
    token: await f.mint({ repositories: ["infra"], permissions: { contents: "read" } }),
    tokenOrigin: f.gh.origin,
    allowedProtocols: ["http"],
    transientRetries: 0,
  };
}

describe("withTerraformCheckout with a ref", () => {
  it("fetches a fork's pull request from the base repository with a token for the base repository only", async () => {
    const fork = await f.gh.createFork("infra", "outsider");
    const pr = await f.gh.openPull("infra", { branch: "add-key", fork, files: { "iam.tf": KEY, "docs/x.md": "x\n" } });
    const forkRequests = () => f.gh.requests.filter((r) => r.scope === "git" && r.path.startsWith("/outsider/")).length;
    const stats = { ...f.gh.gitStats("infra") };
    const seen = await withTerraformCheckout(await options(`refs/pull/${pr.number}/head`), async ({ dir, commitSha }) => ({ commitSha, files: await listFiles(dir) }));
    expect(seen).toEqual({ commitSha: pr.headSha, files: ["iam.tf", "main.tf"] });
    expect(forkRequests()).toBe(0);
    const after = f.gh.gitStats("infra");
    expect(after.bloblessRequests).toBeGreaterThan(stats.bloblessRequests);
    // The 200 kB binary never travelled: only the Terraform blobs did.
    expect(after.bytesServed - stats.bytesServed).toBeLessThan(100_000);

    // After a push to the fork, the same ref gives the new head.
    const pushed = await f.gh.pushToPull("infra", pr.number, { files: { "iam.tf": "# fixed\n" } });
    const again = await withTerraformCheckout(await options(`refs/pull/${pr.number}/head`), async ({ commitSha }) => commitSha);
    expect(again).toBe(pushed.after);
  });

  it("fetches refs/heads/<branch>", async () => {
    const change = await f.gh.commit("infra", { branch: "feature/x", from: "main", files: { "feature.tf": "# f\n" } });
    const seen = await withTerraformCheckout(await options("refs/heads/feature/x"), async ({ dir, commitSha }) => ({ commitSha, files: await listFiles(dir) }));
    expect(seen).toEqual({ commitSha: change.after, files: ["feature.tf", "main.tf"] });
  });

  it("says clearly when the ref is not there", async () => {
    await expect(withTerraformCheckout(await options("refs/pull/999/head"), async () => undefined)).rejects.toThrow(/refs\/pull\/999\/head is not in the repository/);
  });

  it("refuses a hostile ref before running git", async () => {
    const hostile = [
      "--upload-pack=touch /tmp/pwned",
      "refs/pull/1/head:refs/heads/main",
      "+refs/heads/main",
      "refs/pull/01/head",
      "refs/pull/1/merge",
      "refs/pull/abc/head",
      "refs/tags/v1",
      "HEAD",
      "",
      "refs/heads/",
      "refs/heads/../../x",
      "refs/heads/-x",
      "refs/heads/a b",
      "refs/heads/a:b",
      "refs/heads/x.lock",
      "refs/heads/.hidden",
      "refs/heads/a@{1}",
      "refs/heads/a\nb",
      "refs/heads/a\\b",
      "refs/heads/a//b",
      "refs/heads/ends.",
    ];
    const gitRequests = f.gh.requests.filter((r) => r.scope === "git").length;
    for (const ref of hostile) {
      expect(() => checkFetchRef(ref), ref).toThrow(CloneError);
      await expect(withTerraformCheckout({ ...(await options("refs/heads/main")), ref }, async () => undefined), ref).rejects.toThrow(/refusing to fetch ref/);
    }
    expect(f.gh.requests.filter((r) => r.scope === "git").length).toBe(gitRequests);
    for (const ok of ["refs/pull/7/head", "refs/heads/main", "refs/heads/feature/x-1_2", "refs/heads/ünï"]) expect(() => checkFetchRef(ok)).not.toThrow();
  });
});
