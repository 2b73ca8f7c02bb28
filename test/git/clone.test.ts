import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { basename, dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CloneError, EmptyRepositoryError, isTransientGitFailure, withTerraformCheckout } from "../../src/git/clone.js";
import { createTestRepo, git, listFiles, type TestRepo } from "../helpers/git-repo.js";
import { serveGitOverHttp } from "../helpers/git-http-server.js";

/**
 * The objects reachable from HEAD in a clone, split into those in its object store and those
 * missing from it (a partial clone's unfetched blobs). `--missing=print` never fetches them.
 */
async function objectStore(dir: string): Promise<{ present: string[]; missing: string[] }> {
  const lines = (await git(dir, "rev-list", "--objects", "--missing=print", "HEAD")).split("\n").filter(Boolean);
  return {
    present: lines.filter((l) => !l.startsWith("?")).map((l) => l.split(" ")[0]!),
    missing: lines.filter((l) => l.startsWith("?")).map((l) => l.slice(1)),
  };
}

/**
 * A git server that refuses every request and echoes the credential it was sent (decoded, and as
 * the raw header) in its error, either as a text body (shown by git as `remote: …`, as GitHub does
 * for "Repository not found") or as a protocol `ERR` line (`fatal: remote error: …`).
 */
async function echoingGitServer(style: "text" | "err-packet"): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const header = req.headers.authorization ?? "";
    const credential = Buffer.from(header.replace(/^basic /i, ""), "base64").toString();
    const message = `credential ${credential} is not allowed here (header: ${header})`;
    if (style === "text") {
      res.writeHead(403, { "content-type": "text/plain" });
      return void res.end(`${message}\n`);
    }
    const pkt = (line: string): string => (Buffer.byteLength(line) + 4).toString(16).padStart(4, "0") + line;
    res.writeHead(200, { "content-type": "application/x-git-upload-pack-advertisement" });
    res.end(`${pkt("# service=git-upload-pack\n")}0000${pkt(`ERR ${message}\n`)}`);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
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
    const { files, objects } = await withTerraformCheckout({ cloneUrl: repo.url, allowedProtocols: ["file"] }, async ({ dir, commitSha }) => {
      seenDir = dir;
      expect(commitSha).toBe(sha);
      return { files: await listFiles(dir), objects: await objectStore(dir) };
    });
    expect(files).toEqual(["envs/prod/prod.tfvars", "envs/prod/stack.tf.json", "envs/prod/x.tfvars.json", "main.tf"]);
    await expect(stat(seenDir)).rejects.toMatchObject({ code: "ENOENT" });

    // Blobless: the blobs of the other files were never fetched (not merely left unchecked-out).
    const blob = (path: string): Promise<string> => git(repo.bare, "rev-parse", `HEAD:${path}`);
    expect(objects.missing.sort()).toEqual((await Promise.all(["README.md", "assets/blob.bin"].map(blob))).sort());
    for (const path of ["main.tf", "envs/prod/prod.tfvars", "envs/prod/stack.tf.json", "envs/prod/x.tfvars.json"]) {
      expect(objects.present).toContain(await blob(path));
    }
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

  it.each(["text", "err-packet"] as const)("names the failure without leaking the token a server echoes back (%s)", async (style) => {
    const server = await echoingGitServer(style);
    try {
      const token = "ghs_abcdefSECRET123";
      const error = await withTerraformCheckout(
        { cloneUrl: `${server.origin}/o/r.git`, token, tokenOrigin: server.origin, allowedProtocols: ["http"], timeoutMs: 20_000 },
        async () => 1,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CloneError);
      const message = (error as Error).message;
      // Neither the token nor the header that carries it survives...
      expect(message).not.toContain(token);
      expect(message).not.toContain(Buffer.from(`x-access-token:${token}`).toString("base64"));
      // ...although git did pass the server's words on (so there was something to scrub).
      expect(message).toMatch(/git clone failed: .*credential x-access-token:\*\*\* is not allowed here \(header: basic \*\*\*\)/);
    } finally {
      await server.close();
    }
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

describe("withTerraformCheckout when the server fails transiently", () => {
  const cases = [
    { name: "fetches again after a 502 and succeeds", failFirst: 1, status: 502, retries: 1, ok: true, says: "502" },
    { name: "gives up after two repeats of a 503", failFirst: 100, status: 503, retries: 2, ok: false, says: "503" },
    { name: "takes a 404 as an answer, at once", failFirst: 100, status: 404, retries: 0, ok: false, says: "not found" },
  ];
  it.each(cases)("$name", async ({ failFirst, status, retries, ok, says }) => {
    const repo = await createTestRepo();
    const server = await serveGitOverHttp(dirname(repo.bare), { failFirst, status });
    try {
      await repo.commit({ "main.tf": "# x\n" });
      const seen: { message: string; attempt: number; waitMs: number }[] = [];
      const run = withTerraformCheckout(
        { cloneUrl: `${server.origin}/${basename(repo.bare)}`, allowedProtocols: ["http"], retryDelayMs: 10, onRetry: (r) => seen.push(r) },
        async ({ dir }) => listFiles(dir),
      );
      if (ok) expect(await run).toEqual(["main.tf"]);
      else await expect(run).rejects.toThrow(new RegExp(`git clone failed: .*${says}`));
      expect(seen.map((r) => [r.attempt, r.waitMs])).toEqual([[1, 10], [2, 20]].slice(0, retries));
      for (const r of seen) expect(r.message).toContain(says);
    } finally {
      await server.close();
      await repo.remove();
    }
  });

  it("tells a transfer failure from an answer", () => {
    expect(isTransientGitFailure("git clone failed: error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502")).toBe(true);
    expect(isTransientGitFailure("git checkout failed: fatal: unable to access 'http://h/o/r.git/': Empty reply from server")).toBe(true);
    expect(isTransientGitFailure("git clone failed: fatal: unable to access 'http://h/o/r.git/': The requested URL returned error: 429")).toBe(true);
    expect(isTransientGitFailure("git clone failed: remote: Repository not found. | fatal: ... returned error: 404")).toBe(false);
    expect(isTransientGitFailure("git clone failed: fatal: ... The requested URL returned error: 403")).toBe(false);
    expect(isTransientGitFailure("git clone failed: timed out after 300000 ms")).toBe(false);
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
