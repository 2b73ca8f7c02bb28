import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decidePullRequest, type PullRequestPayloadLike } from "../../src/app/pull-request-filter.js";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as { name: string; examples: PullRequestPayloadLike[] }[];
const events = examples.find((e) => e.name === "pull_request")!.examples;

describe("decidePullRequest", () => {
  it("checks GitHub's example opened, synchronize and reopened events", () => {
    for (const action of ["opened", "synchronize", "reopened"]) {
      const payload = events.find((e) => e.action === action)!;
      expect(payload, action).toBeDefined();
      expect(decidePullRequest(payload), action).toEqual({ check: true });
    }
  });

  it("ignores every other action GitHub's examples show", () => {
    const others = events.filter((e) => !["opened", "synchronize", "reopened"].includes(e.action));
    expect(others.length).toBeGreaterThan(10);
    for (const payload of others) {
      expect(decidePullRequest(payload), payload.action).toEqual({ check: false, reason: `action ${payload.action} changes no code` });
    }
  });

  it("ignores a pull request into an archived repository, and a late synchronize on a closed one", () => {
    const opened = events.find((e) => e.action === "opened")!;
    expect(decidePullRequest({ ...opened, repository: { ...opened.repository, archived: true } })).toEqual({ check: false, reason: "repository archived" });
    const synchronize = events.find((e) => e.action === "synchronize")!;
    expect(decidePullRequest({ ...synchronize, pull_request: { ...synchronize.pull_request, state: "closed" } })).toEqual({ check: false, reason: "pull request closed" });
  });
});
