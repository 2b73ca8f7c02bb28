/**
 * `npm run bench:org`: the organization audit benchmark (bench/org/org.bench-run.ts). vitest is only
 * the runner here, because the GitHub stand-in and the process helpers it drives are TypeScript under
 * test/ that tsc does not compile; the bench asserts nothing about speed.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["bench/org/*.bench-run.ts"],
    setupFiles: ["test/setup/node20-polyfills.ts"],
    testTimeout: 4 * 3_600_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    // The figures are printed as they come.
    silent: false,
  },
});
