import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decidePush, type PushPayloadLike } from "../../src/app/push-filter.js";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as { name: string; examples: PushPayloadLike[] }[];
const pushes = examples.find((e) => e.name === "push")!.examples;

/** GitHub's example push to a branch, adapted to be a push to the default branch. */
function branchPush(overrides: Partial<PushPayloadLike> = {}): PushPayloadLike {
  const base = structuredClone(pushes.find((p) => p.ref.startsWith("refs/heads/") && !p.deleted && (p.commits?.length ?? 0) > 0)!);
  base.ref = `refs/heads/${base.repository.default_branch}`;
  base.created = false;
  base.forced = false;
  return { ...base, ...overrides };
}

const commit = (files: Partial<Record<"added" | "removed" | "modified", string[]>>) => ({
  id: "a".repeat(40),
  added: [],
  removed: [],
  modified: [],
  ...files,
});

describe("decidePush", () => {
  it("skips tag pushes, as in GitHub's tag example", () => {
    const tag = pushes.find((p) => p.ref.startsWith("refs/tags/"))!;
    expect(decidePush(tag)).toEqual({ scan: false, reason: "not a branch push" });
  });

  it("skips pushes to other branches and branch deletions", () => {
    expect(decidePush(branchPush({ ref: "refs/heads/feature" }))).toMatchObject({ scan: false, reason: "not the default branch" });
    expect(decidePush(branchPush({ deleted: true }))).toMatchObject({ scan: false, reason: "branch deleted" });
  });

  it("skips a push whose listed files contain no Terraform", () => {
    const push = branchPush({ commits: [commit({ modified: ["README.md"] }), commit({ added: ["src/app.ts"] })] });
    expect(decidePush(push)).toEqual({ scan: false, reason: "no Terraform file changed" });
  });

  it("scans when any listed file is Terraform, a tfvars file, or Keywarden's config", () => {
    for (const path of ["infra/main.tf", "x/stack.tf.json", "prod.tfvars", "a/b.auto.tfvars.json", ".github/keywarden.yml"]) {
      expect(decidePush(branchPush({ commits: [commit({ modified: ["README.md"] }), commit({ removed: [path] })] }))).toEqual({ scan: true });
    }
  });

  it("skips files Terraform (and so the clone and the scanner) would not read: case counts, .yaml is not the config", () => {
    for (const path of ["MAIN.TF", "infra/main.TF", "x/stack.TF.JSON", "prod.TFVARS", ".github/keywarden.yaml", ".terraform/modules/m/main.tf", "x.tf/README.md"]) {
      expect({ path, decision: decidePush(branchPush({ commits: [commit({ modified: [path] })] })) }).toEqual({
        path,
        decision: { scan: false, reason: "no Terraform file changed" },
      });
    }
  });

  it("scans when the payload cannot list every changed file", () => {
    const docsOnly = [commit({ modified: ["README.md"] })];
    expect(decidePush(branchPush({ forced: true, commits: docsOnly }))).toEqual({ scan: true });
    expect(decidePush(branchPush({ created: true, commits: docsOnly }))).toEqual({ scan: true });
    expect(decidePush(branchPush({ commits: [] }))).toEqual({ scan: true });
    expect(decidePush(branchPush({ commits: Array.from({ length: 2048 }, () => docsOnly[0]!) }))).toEqual({ scan: true });
  });
});
