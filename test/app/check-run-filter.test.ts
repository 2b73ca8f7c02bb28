import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decideCheckRun, type CheckRunPayloadLike } from "../../src/app/check-run-filter.js";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as { name: string; examples: CheckRunPayloadLike[] }[];
const events = examples.find((e) => e.name === "check_run")!.examples;
/** A pull request as GitHub lists it on a check run (the `created` example's first one). */
const listedPull = events.flatMap((e) => e.check_run.pull_requests)[0]!;

/** GitHub's rerequested example (another app's run on the default branch, no pull request) made Keywarden's. */
function rerequested(changes: { pulls?: CheckRunPayloadLike["check_run"]["pull_requests"]; headBranch?: string | null } = {}): { payload: CheckRunPayloadLike; appId: number } {
  const example = structuredClone(events.find((e) => e.action === "rerequested")!);
  example.check_run.name = "Keywarden";
  if (changes.pulls) example.check_run.pull_requests = changes.pulls;
  if (changes.headBranch !== undefined) example.check_run.check_suite!.head_branch = changes.headBranch;
  return { payload: example, appId: example.check_run.app!.id };
}

describe("decideCheckRun", () => {
  it("re-runs the push check with a scan when GitHub's example lists no pull request and is on the default branch", () => {
    const { payload, appId } = rerequested();
    expect(payload.check_run.pull_requests).toEqual([]);
    expect(payload.check_run.check_suite?.head_branch).toBe(payload.repository.default_branch);
    expect(decideCheckRun(payload, appId)).toEqual({ rerun: "push" });
  });

  it("re-checks each pull request the run lists whose base is this repository", () => {
    const { payload, appId } = rerequested({ headBranch: "changes" });
    const here = { ...listedPull, number: 7, base: { ...listedPull.base, repo: { ...listedPull.base!.repo!, id: payload.repository.id } } };
    const elsewhere = { ...listedPull, number: 9, base: { ...listedPull.base, repo: { ...listedPull.base!.repo!, id: payload.repository.id + 1 } } };
    payload.check_run.pull_requests = [here, elsewhere, { ...here }];
    expect(decideCheckRun(payload, appId)).toEqual({ rerun: "pull_request", pullNumbers: [7] });
  });

  it("tells the user to push or reopen when no pull request is listed off the default branch (a fork's pull request)", () => {
    const { payload, appId } = rerequested({ headBranch: "from-fork" });
    const decision = decideCheckRun(payload, appId);
    expect(decision).toMatchObject({ rerun: false, tell: true });
    expect(decision.rerun === false && decision.reason).toMatch(/push a commit to the pull request or close and reopen it/);
    expect(decideCheckRun(rerequested({ headBranch: null }).payload, appId)).toMatchObject({ rerun: false, tell: true });
  });

  it("ignores another app's run, a run named otherwise, an archived repository and every other action in GitHub's examples", () => {
    const { payload, appId } = rerequested();
    expect(decideCheckRun(payload, appId + 1)).toEqual({ rerun: false, reason: "another app's check run" });
    expect(decideCheckRun({ ...payload, check_run: { ...payload.check_run, app: null } }, appId)).toEqual({ rerun: false, reason: "another app's check run" });
    // GitHub's own example, unchanged: "randscape" is not Keywarden's run.
    const original = events.find((e) => e.action === "rerequested")!;
    expect(decideCheckRun(original, original.check_run.app!.id)).toEqual({ rerun: false, reason: "another app's check run" });
    expect(decideCheckRun({ ...payload, repository: { ...payload.repository, archived: true } }, appId)).toEqual({ rerun: false, reason: "repository archived" });
    const others = events.filter((e) => e.action !== "rerequested");
    expect(others.length).toBeGreaterThan(3);
    for (const other of others) {
      const ours = { ...other, check_run: { ...other.check_run, name: "Keywarden" } };
      expect(decideCheckRun(ours, other.check_run.app!.id), other.action).toEqual({ rerun: false, reason: `action ${other.action} asks for no re-run` });
    }
  });
});
