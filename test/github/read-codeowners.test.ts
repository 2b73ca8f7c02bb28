import { describe, expect, it } from "vitest";
import { readCodeowners } from "../../src/github/read-codeowners.js";
import type { GitHubClient } from "../../src/github/requester.js";

/** A client serving `files` (path -> text) through the contents API; anything else is a 404. */
function client(files: Record<string, string>, fail?: number): GitHubClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async request(route: string, parameters: Record<string, unknown> = {}) {
      expect(route).toBe("GET /repos/{owner}/{repo}/contents/{path}");
      const path = String(parameters.path);
      asked.push(`${path}@${String(parameters.ref)}`);
      if (fail) throw Object.assign(new Error("boom"), { status: fail });
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
      return { status: 200, headers: {}, data: { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64") } };
    },
    paginate: { iterator: () => (async function* () {})() },
  };
}

const REPO = { owner: "octo-org", repo: "infra" };

describe("readCodeowners", () => {
  it("reads the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS, at the scanned commit", async () => {
    const c = client({ CODEOWNERS: "* @root-owner\n", "docs/CODEOWNERS": "* @docs-owner\n" });
    expect(await readCodeowners(c, REPO, "abc")).toBe("* @root-owner\n");
    expect(c.asked).toEqual([".github/CODEOWNERS@abc", "CODEOWNERS@abc"]);
    expect(await readCodeowners(client({ ".github/CODEOWNERS": "x @a\n", CODEOWNERS: "y @b\n" }), REPO)).toBe("x @a\n");
  });
  it("gives undefined when none exists (404s)", async () => {
    expect(await readCodeowners(client({}), REPO, "abc")).toBeUndefined();
  });
  it("throws on any other failure, so the job is retried rather than misrouted", async () => {
    await expect(readCodeowners(client({}, 502), REPO, "abc")).rejects.toThrow("boom");
  });
});
