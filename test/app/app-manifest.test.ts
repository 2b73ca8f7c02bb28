import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

describe("app.yml", () => {
  it("asks for least privilege and the events Keywarden handles", async () => {
    const manifest = parse(await readFile(new URL("../../app.yml", import.meta.url), "utf8"));
    expect(manifest.default_permissions).toEqual({ metadata: "read", contents: "read", issues: "write" });
    expect([...manifest.default_events].sort()).toEqual(["installation_repositories", "issues", "push"]);
    expect(manifest.name).toBe("Keywarden");
    expect(typeof manifest.description).toBe("string");
    expect(manifest.url).toMatch(/^https:\/\//);
  });
});
