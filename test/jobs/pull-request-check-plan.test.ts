import { describe, expect, it } from "vitest";
import { failedOutput, noTerraformOutput, planCheck, supersededOutput } from "../../src/jobs/pull-request-check-plan.js";

const open = { state: "open" };

describe("planCheck", () => {
  it("skips a closed pull request whatever it changes", () => {
    expect(planCheck({ state: "closed" }, [{ filename: "main.tf" }], true)).toEqual({ kind: "skip", reason: "pull request closed" });
  });

  it("skips a pull request into a repository archived since the webhook", () => {
    expect(planCheck({ state: "open", base: { repo: { archived: true } } }, [{ filename: "main.tf" }], true)).toEqual({ kind: "skip", reason: "repository archived" });
    expect(planCheck({ state: "open", base: { repo: { archived: false } } }, [{ filename: "main.tf" }], true)).toEqual({ kind: "scan" });
  });

  it("scans when a listed file is Terraform, by its name or by the name it was renamed from", () => {
    expect(planCheck(open, [{ filename: "README.md" }, { filename: "envs/prod/iam.tf" }], true)).toEqual({ kind: "scan" });
    expect(planCheck(open, [{ filename: "vars/prod.tfvars.json" }], true)).toEqual({ kind: "scan" });
    expect(planCheck(open, [{ filename: "old/iam.tf.bak", previous_filename: "old/iam.tf" }], true)).toEqual({ kind: "scan" });
  });

  it("needs no clone when every file is listed and none is Terraform as Terraform defines it", () => {
    for (const files of [[], [{ filename: "README.md" }], [{ filename: "MAIN.TF" }], [{ filename: ".terraform/modules/x/main.tf" }], [{ filename: ".github/keywarden.yml" }]]) {
      expect(planCheck(open, files, true), JSON.stringify(files)).toEqual({ kind: "no-terraform" });
    }
  });

  it("scans the head whole when GitHub listed only part of the files (past its 3,000-file cap)", () => {
    expect(planCheck(open, [{ filename: "README.md" }], false)).toEqual({ kind: "scan" });
  });
});

describe("check-run outputs of the job", () => {
  it("says success without Terraform, with the number of files right", () => {
    expect(noTerraformOutput(1)).toMatchObject({ conclusion: "success", title: "No Terraform files changed", annotations: [] });
    expect(noTerraformOutput(1).summary).toContain("changes 1 file,");
    expect(noTerraformOutput(3).summary).toContain("changes 3 files,");
  });

  it("concludes a run whose commit was superseded neutral, naming both commits", () => {
    const output = supersededOutput("a".repeat(40), "b".repeat(40));
    expect(output).toMatchObject({ conclusion: "neutral", annotations: [] });
    expect(output.summary).toContain("a".repeat(12));
    expect(output.summary).toContain("b".repeat(12));
  });

  it("fails a run whose scan failed for good, with the reason shown literally on one line", () => {
    const output = failedOutput("git fetch failed:\n@octo-org/security ```\n</details>");
    expect(output).toMatchObject({ conclusion: "failure", title: "Keywarden could not scan this commit", annotations: [] });
    // An indented code block of one line: no mention, no fence, no HTML is interpreted.
    expect(output.summary).toContain("\n\n    git fetch failed: @octo-org/security ''' </details>\n\n");
    expect(output.summary).not.toContain("```");
    expect(output.summary).toMatch(/Push a new commit/);
  });
});
