/**
 * Scenario 4: the worker dies in the middle of an audit, twice, each time as issues are being filed
 * (one may be created at GitHub while the process dies before hearing back), and is restarted:
 * nothing is lost or filed twice. `npm test` uses a 3 s job lock; `npm run test:reliability` keeps
 * the production default, so the figure is the recovery time operators get.
 */
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import { isIssueCreate } from "./helpers/census.js";
import { record, RELIABILITY_RUN } from "./helpers/reliability.js";
import { Scenario } from "./helpers/scenario.js";
import { NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

const REPOS = ["payments", "identity", "platform"];
/** The crash figure is what operators get: the production lock (KEYWARDEN_JOB_LOCK_MS unset) in the reliability run. */
const CRASH_LOCK_MS = RELIABILITY_RUN ? undefined : 3000;
const lockSeconds = (CRASH_LOCK_MS ?? 20_000) / 1000;

async function auditScenario(s: Scenario): Promise<void> {
  for (const repo of REPOS) await s.gh.createRepo(repo, { files: { "main.tf": NON_COMPLIANT } });
  s.expected = REPOS.flatMap((repo) => seedFindings(repo));
}

describe("crash recovery", () => {
  it(
    "SIGKILLed twice during an audit and restarted: every finding exactly one issue",
    async () => {
      const s = await Scenario.start({ jobLockMs: CRASH_LOCK_MS });
      await auditScenario(s);
      const recoveryMs = (lockSeconds * 1.5 + 30) * 1000;

      const first = await s.serve();
      const firstWrite = s.nextRequest(isIssueCreate, 30_000, "issue creation by the first process");
      await s.command(["audit"]);
      await firstWrite;
      first.kill("SIGKILL");
      await first.exited;
      const firstKilledAt = Date.now();

      const second = await s.serve();
      const secondWrite = await s.nextRequest(isIssueCreate, recoveryMs, "issue creation by the second process");
      expect(secondWrite.at).toBeGreaterThanOrEqual(firstKilledAt);
      second.kill("SIGKILL");
      await second.exited;

      const restartedAt = Date.now();
      const third = await s.serve();
      const convergedAt = await s.converge(recoveryMs + 30_000);
      const seconds = (convergedAt - restartedAt) / 1000;
      record({ scenario: "worker SIGKILLed twice", faults: `2 × SIGKILL while filing (job lock ${lockSeconds} s)`, census: s.census(), seconds });
      expect(s.census()).toMatchObject({ expected: 6, filed: 6, open: 6, duplicates: 0, lost: 0 });
      expect(third.running).toBe(true);
      // The jobs the dead processes held came back through BullMQ's stalled check.
      expect(s.queues.counted["scan:stalled"] ?? 0).toBeGreaterThan(0);
      // Goal of issue 7: a crashed worker's jobs resume within 45 s.
      expect(seconds).toBeLessThan(lockSeconds * 1.5 + 25);
    },
    RELIABILITY_RUN ? 240_000 : 120_000,
  );
});
