/**
 * Uploading SARIF to code scanning against the GitHub stand-in, which decodes the upload (gzip +
 * base64) as GitHub does and keeps it: what it decoded must be exactly what was sent.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SarifUploadFailed, uploadSarif } from "../../src/github/code-scanning.js";
import { captureLog } from "../helpers/probot.js";
import { OWNER, startFixture, type Fixture } from "./stand-in-fixture.js";

let f: Fixture;
let sha: string;
beforeAll(async () => {
  f = await startFixture();
  await f.gh.createRepo("infra", { files: { "iam.tf": "# iam\n" } });
  sha = (await f.gh.head("infra"))!;
});
afterAll(async () => {
  await f?.gh.close();
});

const sarif = {
  $schema: "https://json.schemastore.org/sarif-2.1.0.json",
  version: "2.1.0",
  runs: [
    {
      tool: { driver: { name: "Keywarden", rules: [{ id: "terraform-aws-iam-access-key-is-exposed", properties: { tags: ["CIS 1.4", "IAM.4"] } }] } },
      results: [{ ruleId: "terraform-aws-iam-access-key-is-exposed", message: { text: "root key in `iam.tf` — ünïcødé @team" }, locations: [{ physicalLocation: { artifactLocation: { uri: "iam.tf" }, region: { startLine: 2 } } }] }],
    },
  ],
};

function lines(text: string): { level: number; msg: string; repository?: string }[] {
  return text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

describe("uploadSarif", () => {
  it("uploads gzip + base64 with the commit, the ref and tool_name Keywarden; GitHub decodes exactly the input", async () => {
    const octokit = await f.client();
    const result = await uploadSarif(octokit, { owner: OWNER, repo: "infra", commitSha: sha, ref: "refs/heads/main" }, sarif, captureLog().logger);
    expect(result).toEqual({ uploaded: true, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const stored = f.gh.sarifs("infra").at(-1)!;
    expect(stored).toMatchObject({ commitSha: sha, ref: "refs/heads/main", toolName: "Keywarden" });
    expect(stored.sarif).toEqual(sarif);
    if (result.uploaded) expect(stored.id).toBe(result.id);
  });

  it("without security_events: write: one warning saying what to do, no upload, no throw", async () => {
    const octokit = await f.client({ permissions: { contents: "read", checks: "write" } });
    const log = captureLog();
    const before = f.gh.sarifs("infra").length;
    expect(await uploadSarif(octokit, { owner: OWNER, repo: "infra", commitSha: sha, ref: "refs/heads/main" }, sarif, log.logger)).toEqual({ uploaded: false, reason: "missing-permission" });
    const logged = lines(log.text());
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, repository: `${OWNER}/infra` });
    expect(logged[0]!.msg).toMatch(/security_events: write.*organization owner accepts/);
    expect(f.gh.sarifs("infra")).toHaveLength(before);
  });

  it("code scanning not enabled: not-enabled, one line", async () => {
    f.gh.setCodeScanning("infra", false);
    try {
      const log = captureLog();
      expect(await uploadSarif(await f.client(), { owner: OWNER, repo: "infra", commitSha: sha, ref: "refs/heads/main" }, sarif, log.logger)).toEqual({ uploaded: false, reason: "not-enabled" });
      const logged = lines(log.text());
      expect(logged).toHaveLength(1);
      expect(logged[0]!.msg).toContain("Enable code scanning");
    } finally {
      f.gh.setCodeScanning("infra", true);
    }
  });

  it("refuses a SARIF over 10 MB gzipped before sending, naming the repository", async () => {
    const writes = f.gh.writes().length;
    // Random base64 text compresses to about 3/4: about 12 MB gzipped.
    const huge = { ...sarif, padding: randomBytes(12_000_000).toString("base64") };
    const upload = uploadSarif(await f.client(), { owner: OWNER, repo: "infra", commitSha: sha, ref: "refs/heads/main" }, huge, captureLog().logger);
    await expect(upload).rejects.toBeInstanceOf(SarifUploadFailed);
    await expect(upload).rejects.toThrow(/SARIF of octo-org\/infra@[0-9a-f]{12} is \d+ bytes gzipped, over GitHub's limit.*codeScanning: false/);
    expect(f.gh.writes().length).toBe(writes);
  });

  it("throws GitHub's other refusals with the repository named", async () => {
    const upload = uploadSarif(await f.client(), { owner: OWNER, repo: "infra", commitSha: sha, ref: "main" }, sarif, captureLog().logger);
    await expect(upload).rejects.toMatchObject({ name: "SarifUploadFailed", status: 422, message: expect.stringContaining("could not upload the SARIF of octo-org/infra@") });
  });
});
