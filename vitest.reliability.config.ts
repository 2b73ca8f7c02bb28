/**
 * `npm run test:reliability`: the process-level scenarios of test/process/ one file at a time (so
 * the figures are not skewed by each other), each fault scenario reporting one row; the globalSetup
 * prints the table and writes RELIABILITY.md. The crash scenario uses the production job lock here.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

const out = join(tmpdir(), `keywarden-reliability-${process.pid}.jsonl`);
process.env.KEYWARDEN_RELIABILITY_OUT = out;

export default defineConfig({
  test: {
    // The scenarios that report a row (commands.test.ts also holds the SIGTERM drain, which does not).
    include: ["push", "commands", "crash", "redis", "faults"].map((name) => `test/process/${name}.test.ts`),
    setupFiles: ["test/setup/node20-polyfills.ts"],
    globalSetup: ["test/process/reliability-report.ts"],
    env: { KEYWARDEN_RELIABILITY_OUT: out },
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
