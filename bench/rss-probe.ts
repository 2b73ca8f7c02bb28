/**
 * Preloaded (`node --import dist/bench/rss-probe.js ...`) into an untimed run of a whole process
 * by bench/run.ts: at exit, writes the process's peak RSS (KiB) to the file named by
 * KEYWARDEN_BENCH_RSS_FILE. The timed runs go without it.
 */
import { writeFileSync } from "node:fs";

const target = process.env["KEYWARDEN_BENCH_RSS_FILE"];
if (target) {
  process.on("exit", () => {
    writeFileSync(target, `${process.resourceUsage().maxRSS}\n`);
  });
}
