import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/node20-polyfills.ts"],
    // Tests spawn git and talk to real Redis: give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two test files at once even on 2 cores: the process-level tests spend most of their time
    // waiting on child processes, git and GitHub's write pacing, not on the CPU.
    maxWorkers: 2,
  },
});
