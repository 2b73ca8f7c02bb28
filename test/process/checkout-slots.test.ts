/**
 * A scan waiting on GitHub leaves its checkout slot to the next clone (src/jobs/start-workers.ts,
 * SCAN_JOBS_PER_CHECKOUT_SLOT), on the built `keywarden serve` with one checkout slot: while the
 * first repository's issue creation is held at the stand-in, a push to a second repository is
 * cloned and scanned; once released, the first repository's issues are filed, each once.
 */
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import { OWNER, Scenario } from "./helpers/scenario.js";
import { FIXED, NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

describe("checkout slots", () => {
  it("clones and scans another repository while a scan waits on its issue writes", async () => {
    const s = await Scenario.start({ env: { KEYWARDEN_SCAN_CONCURRENCY: "1" } });
    const { gh } = s;
    await gh.createRepo("keys", { files: { "README.md": "# keys\n" } });
    await gh.createRepo("other", { files: { "README.md": "# other\n" } });
    const serve = await s.serve();

    const held = gh.hold({ method: "POST", path: `/repos/${OWNER}/keys/issues` });
    expect(await gh.push("keys", await gh.commit("keys", { files: { "main.tf": NON_COMPLIANT } }))).toBe(200);
    await held.arrived;
    const from = serve.lines.length;
    expect(await gh.push("other", await gh.commit("other", { files: { "main.tf": FIXED } }))).toBe(200);
    const scanned = await serve.waitForMessage("repository scanned", 30_000, from);
    expect(scanned).toMatchObject({ repo: `${OWNER}/other`, findings: 0 });
    expect(gh.issues("keys")).toEqual([]);

    held.release();
    s.expected = seedFindings("keys");
    await s.converge(30_000);
    expect(s.census()).toMatchObject({ duplicates: 0, lost: 0 });
  }, 120_000);
});
