import { describe, expect, it } from "vitest";
import { scan } from "../../src/scan/index.js";
import { tempTree, where } from "./temp-tree.js";

describe("Terraform JSON syntax", () => {
  it("reports the name key line without status, the status line with it, and the user line", async () => {
    const root = await tempTree({
      "main.tf.json": JSON.stringify(
        {
          resource: {
            aws_iam_access_key: {
              a: { user: "root" },
              b: { user: "${var.who}", status: "Active" },
              c: { user: "root", status: "Inactive" },
            },
          },
          variable: { who: { default: "root" } },
        },
        null,
        2,
      ),
    });
    const result = await scan(root);
    expect(where(result.findings)).toEqual([
      "root main.tf.json:4",
      "exposed main.tf.json:5",
      "exposed main.tf.json:8",
      "root main.tf.json:9",
    ]);
    const a = result.findings[0];
    expect(a?.block).toEqual({ startLine: 4, endLine: 6 });
    expect(a?.fix).toContain('+        "status": "Inactive",');
  });

  it("mixes with .tf files of the same module for references", async () => {
    const root = await tempTree({
      "main.tf.json": `{"resource": {"aws_iam_access_key": {"k": {"user": "\${aws_iam_user.u.name}"}}}}`,
      "users.tf": `resource "aws_iam_user" "u" {\n  name = "root"\n}\n`,
    });
    // Both on line 1: the more severe first.
    expect(where((await scan(root)).findings)).toEqual(["root main.tf.json:1", "exposed main.tf.json:1"]);
  });

  it("reports malformed JSON as an error for that file with line and column", async () => {
    const root = await tempTree({ "bad.tf.json": `{\n  "resource": {"aws_iam_access_key": {\n}\n` });
    const result = await scan(root);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.file).toBe("bad.tf.json");
    expect(result.errors[0]?.message).toMatch(/^\d+:\d+: /);
  });
});
