/**
 * The colours of new labels are a labels job of their own (src/jobs/process-labels.ts), on the built
 * `keywarden serve`: while the first label edit of a push's new issues is held at the stand-in, the
 * scan has already ended; once released, every label GitHub made grey has Keywarden's colour and
 * description, and the issues are filed once. With 2 content writes a minute, the push's 2 issues
 * spend the minute: were the 3 label edits counted too, they would wait for two more minutes and
 * the census would not converge within 30 s (src/github/apply-plan/labels.ts: they are not counted).
 */
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import { OWNER, Scenario } from "./helpers/scenario.js";
import { NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

describe("label colours", () => {
  it("ends the scan before its label edits, which a labels job then makes outside the content budget", async () => {
    const s = await Scenario.start({ env: { KEYWARDEN_WRITES_PER_MINUTE: "2" } });
    const { gh } = s;
    await gh.createRepo("keys", { files: { "README.md": "# keys\n" } });
    const serve = await s.serve();

    const held = gh.hold({ method: "PATCH", path: new RegExp(`^/repos/${OWNER}/keys/labels/`) });
    const from = serve.lines.length;
    expect(await gh.push("keys", await gh.commit("keys", { files: { "main.tf": NON_COMPLIANT } }))).toBe(200);
    await held.arrived;
    expect(await serve.waitForMessage("repository scanned", 30_000, from)).toMatchObject({ repo: `${OWNER}/keys`, findings: 2, opened: 2 });
    expect(gh.labels("keys").map((l) => l.color)).toEqual(["ededed", "ededed", "ededed"]);

    held.release();
    s.expected = seedFindings("keys");
    await s.converge(30_000);
    expect(s.census()).toMatchObject({ duplicates: 0, lost: 0 });
    expect(gh.labels("keys").map(({ name, color }) => ({ name, color })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "keywarden", color: "5319e7" },
      { name: "severity:high", color: "b60205" },
      { name: "severity:medium", color: "d93f0b" },
    ]);
    expect(serve.lines.filter((l) => l.msg === "labels coloured")).toMatchObject([{ queue: "labels", repo: `${OWNER}/keys`, writes: 3 }]);
  }, 120_000);
});
