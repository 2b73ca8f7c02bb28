import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CloneError, EmptyRepositoryError, withTerraformCheckout } from "../../src/git/clone.js";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { serveGitOverHttp } from "../helpers/git-http-server.js";

async function listFiles(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === ".git") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, root)));
    else out.push(relative(root, full));
  }
  return out.sort();
}

describe("withTerraformCheckout", () => {
  let repo: TestRepo;
  beforeEach(async () => {
    repo = await createTestRepo();
  });
  afterEach(async () => {
    await repo.remove();
  });

  it("checks out only Terraform files, at the branch head, and removes them afterwards", async () => {
    const sha = await repo.commit({
      "main.tf": 'resource "aws_iam_access_key" "k" { user = "root" }\n',
      "envs/prod/prod.tfvars": 'user = "root"\n',
      "envs/prod/stack.tf.json": "{}\n",
      "envs/prod/x.tfvars.json": "{}\n",
      "README.md": "# not terraform\n",
      "assets/blob.bin": Buffer.alloc(64 * 1024, 7),
    });
    let seenDir = "";
    const files = await withTerraformCheckout({ cloneUrl: repo.url, allowedProtocols: ["file"] }, async ({ dir, commitSha }) => {
      seenDir = dir;
      expect(commitSha).toBe(sha);
      return listFiles(dir);
    });
    expect(files).toEqual(["envs/prod/prod.tfvars", "envs/prod/stack.tf.json", "envs/prod/x.tfvars.json", "main.tf"]);
    await expect(stat(seenDir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("writes a committed symlink as a plain file, never as a link out of the checkout", async () => {
    await repo.commit({ "evil.tf": { symlink: "/etc/passwd" } });
    await withTerraformCheckout({ cloneUrl: repo.url, allowedProtocols: ["file"] }, async ({ dir }) => {
      const info = await lstat(join(dir, "evil.tf"));
      expect(info.isSymbolicLink()).toBe(false);
      expect(await readFile(join(dir, "evil.tf"), "utf8")).toBe("/etc/passwd");
    });
  });

  it("removes the work directory when the work fails", async () => {
    await repo.commit({ "main.tf": "" });
    let seenDir = "";
    await expect(
      withTerraformCheckout({ cloneUrl: repo.url, allowedProtocols: ["file"] }, async ({ dir }) => {
        seenDir = dir;
        throw new Error("scan blew up");
      }),
    ).rejects.toThrow("scan blew up");
    await expect(stat(seenDir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a transport that is not allowed", async () => {
    await repo.commit({ "main.tf": "" });
    await expect(withTerraformCheckout({ cloneUrl: repo.url, allowedProtocols: ["https"] }, async () => 1)).rejects.toThrow(
      /clone URL uses file, allowed: https/,
    );
  });

  it("refuses to send the token to another origin, or credentials in the URL", async () => {
    const options = { token: "ghs_secret", tokenOrigin: "https://github.com", allowedProtocols: ["https"] };
    await expect(withTerraformCheckout({ ...options, cloneUrl: "https://evil.example/o/r.git" }, async () => 1)).rejects.toThrow(
      /refusing to send the installation token to https:\/\/evil.example/,
    );
    await expect(withTerraformCheckout({ ...options, cloneUrl: "https://x:y@github.com/o/r.git" }, async () => 1)).rejects.toBeInstanceOf(
      CloneError,
    );
  });

  it("names the failure without leaking the token", async () => {
    const token = "ghs_abcdefSECRET123";
    const error = await withTerraformCheckout(
      { cloneUrl: "http://127.0.0.1:9/o/r.git", token, tokenOrigin: "http://127.0.0.1:9", allowedProtocols: ["http"], timeoutMs: 20_000 },
      async () => 1,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloneError);
    expect(String((error as Error).message)).toMatch(/git clone failed/);
    expect(String((error as Error).message)).not.toContain(token);
  });
});

describe("withTerraformCheckout over HTTP (GitHub Enterprise Server with GHE_PROTOCOL=http)", () => {
  it("sends the token only as an Authorization header, and never writes it into the checkout", async () => {
    const repo = await createTestRepo();
    const server = await serveGitOverHttp(dirname(repo.bare));
    try {
      const sha = await repo.commit({ "iam/main.tf": 'resource "aws_iam_access_key" "k" { user = "root" }\n', "docs/x.md": "x" });
      const token = "ghs_TokenThatMustStaySecret0123456789";
      const files = await withTerraformCheckout(
        {
          cloneUrl: `${server.origin}/${basename(repo.bare)}`,
          token,
          tokenOrigin: server.origin,
          allowedProtocols: ["http"],
        },
        async ({ dir, commitSha }) => {
          expect(commitSha).toBe(sha);
          const gitFiles = await readdir(join(dir, ".git"), { recursive: true });
          for (const f of gitFiles) {
            const path = join(dir, ".git", String(f));
            if ((await stat(path)).isFile()) expect(await readFile(path, "latin1")).not.toContain(token);
          }
          return listFiles(dir);
        },
      );
      expect(files).toEqual(["iam/main.tf"]);
      const expected = `basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
      expect(server.authorizations.length).toBeGreaterThan(0);
      expect(server.authorizations.every((a) => a?.toLowerCase() === expected.toLowerCase())).toBe(true);
    } finally {
      await server.close();
      await repo.remove();
    }
  });
});

describe("withTerraformCheckout on an empty repository", () => {
  it("says the repository is empty instead of failing", async () => {
    const repo = await createTestRepo();
    try {
      const error = await withTerraformCheckout({ cloneUrl: repo.url, branch: "main", allowedProtocols: ["file"] }, async () => 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmptyRepositoryError);
    } finally {
      await repo.remove();
    }
  });
});
