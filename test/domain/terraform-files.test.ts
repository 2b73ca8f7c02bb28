/**
 * One definition of "a Terraform file" (src/domain/terraform-files.ts), and the three places that
 * must agree on it: the push filter (does this push need a scan?), the clone (is the file fetched
 * and checked out?) and the scanner's discovery (is it read?). Each path of the table goes through
 * all three, for real: a push payload, a git clone of a repository holding every path, a walk of a
 * tree holding every path. A push touching a file must start a scan exactly when the scan sees it.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_PATH, isTerraformPath, SPARSE_CHECKOUT_PATTERNS, TERRAFORM_SUFFIXES } from "../../src/domain/terraform-files.js";
import { decidePush } from "../../src/app/push-filter.js";
import { withTerraformCheckout } from "../../src/git/clone.js";
import { walkDirectories } from "../../src/scan/discover-files.js";
import { CONFIG_PATH as READ_CONFIG_PATH } from "../../src/github/read-config.js";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { tempTree } from "../scan/temp-tree.js";

/** path → is it a Terraform file Keywarden reads? */
const TABLE: Record<string, boolean> = {
  "main.tf": true,
  "infra/prod/main.tf": true,
  "infra/Main.tf": true, // only the suffix is compared
  "x/stack.tf.json": true,
  "prod.tfvars": true,
  "terraform.tfvars": true,
  "a/b.auto.tfvars.json": true,
  "sub/.hidden.tf": true, // Terraform skips dot-files; Keywarden reads them (see terraform-files.ts)
  "odd name [1].tf": true,
  "mods/x.tf/inner.tf": true, // a Terraform file inside a directory that looks like one
  "mods/v.tfvars/deep/z.tf.json": true,
  // Case-sensitive, as Terraform: none of these is configuration.
  "MAIN.TF": false,
  "main.TF": false,
  "stack.TF.JSON": false,
  "stack.tf.JSON": false,
  "prod.TFVARS": false,
  "x.Tfvars.json": false,
  // Not Terraform at all.
  "main.tf.bak": false,
  "terraform.tfstate": false,
  "README.md": false,
  "mods/x.tf/README.md": false, // a directory named like a file does not make its contents Terraform
  "mods/v.tfvars/notes.txt": false,
  // Terraform's caches are never read.
  ".terraform/modules/m/main.tf": false,
  "envs/.terraform/providers/p.tfvars": false,
  // Configuration is read through the API, not the clone; and only the .yml one (below).
  ".github/keywarden.yaml": false,
};

function pushTouching(path: string): boolean {
  return decidePush({
    ref: "refs/heads/main",
    repository: { default_branch: "main" },
    commits: [{ id: "a".repeat(40), added: [], removed: [], modified: [path] }],
  }).scan;
}

async function filesUnder(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.name === ".git" && rel === "") continue;
    if (entry.isDirectory()) out.push(...(await filesUnder(root, path)));
    else out.push(path);
  }
  return out;
}

describe("one definition of a Terraform file", () => {
  let repo: TestRepo;
  let cloned: Set<string>;
  beforeAll(async () => {
    repo = await createTestRepo();
    await repo.commit(Object.fromEntries([...Object.keys(TABLE), CONFIG_PATH].map((path) => [path, `# ${path}\n`])));
    cloned = new Set(await withTerraformCheckout({ cloneUrl: repo.url, allowedProtocols: ["file"] }, ({ dir }) => filesUnder(dir)));
  });
  afterAll(() => repo.remove());

  it("push filter says scan ⇔ the clone checks the file out ⇔ the scanner reads it", async () => {
    const root = await tempTree(Object.fromEntries(Object.keys(TABLE).map((path) => [path, `# ${path}\n`])));
    const discovered = new Set([...walkDirectories(root)].flatMap((listing) => listing.files.map((f) => f.path)));
    const seen = Object.keys(TABLE).map((path) => ({ path, isTerraformPath: isTerraformPath(path), push: pushTouching(path), clone: cloned.has(path), scan: discovered.has(path) }));
    const expected = Object.entries(TABLE).map(([path, yes]) => ({ path, isTerraformPath: yes, push: yes, clone: yes, scan: yes }));
    expect(seen).toEqual(expected);
  });

  it("the clone fetches nothing else: not even the configuration", () => {
    expect([...cloned].sort()).toEqual(Object.keys(TABLE).filter((p) => TABLE[p]).sort());
  });

  it("the sparse patterns are derived from Terraform's suffixes", () => {
    expect(TERRAFORM_SUFFIXES).toEqual([".tf", ".tf.json", ".tfvars", ".tfvars.json"]);
    for (const suffix of TERRAFORM_SUFFIXES) expect(SPARSE_CHECKOUT_PATTERNS).toContain(`*${suffix}`);
  });

  it("the configuration is the one path Probot reads: the push filter watches exactly the file read-config reads", () => {
    expect(CONFIG_PATH).toBe(".github/keywarden.yml");
    expect(READ_CONFIG_PATH).toBe(CONFIG_PATH);
    expect(pushTouching(CONFIG_PATH)).toBe(true);
    for (const other of [".github/keywarden.yaml", ".github/Keywarden.yml", ".github/KEYWARDEN.YML", "keywarden.yml", "x/.github/keywarden.yml"]) {
      expect({ other, push: pushTouching(other) }).toEqual({ other, push: false });
    }
  });
});
