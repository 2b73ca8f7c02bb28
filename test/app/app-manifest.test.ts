import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

describe("app.yml", () => {
  it("asks for least privilege and the events Keywarden handles", async () => {
    const manifest = parse(await readFile(new URL("../../app.yml", import.meta.url), "utf8"));
    expect(manifest.default_permissions).toEqual({
      metadata: "read",
      contents: "read",
      issues: "write",
      checks: "write",
      pull_requests: "read",
      security_events: "write",
    });
    expect([...manifest.default_events].sort()).toEqual(["check_run", "installation_repositories", "issues", "pull_request", "push"]);
    expect(manifest.name).toBe("Keywarden");
    expect(typeof manifest.description).toBe("string");
    expect(manifest.url).toMatch(/^https:\/\//);
  });

  it("says next to security_events why it is asked for (only for repositories that opt into code scanning)", async () => {
    const text = await readFile(new URL("../../app.yml", import.meta.url), "utf8");
    const lines = text.split("\n");
    const at = lines.findIndex((l) => /^\s*security_events:\s*write\s*$/.test(l));
    expect(at).toBeGreaterThan(0);
    const comment = lines.slice(0, at).reverse().filter((l, i, all) => all.slice(0, i + 1).every((x) => /^\s*#/.test(x))).reverse().join(" ");
    expect(comment).toMatch(/only when a repository opts into code scanning/);
    expect(comment).toContain("codeScanning: true");
  });
});
