/**
 * globalSetup of `npm run test:reliability` (vitest.reliability.config.ts): before the run, an empty
 * rows file (each fault scenario appends one JSON line to KEYWARDEN_RELIABILITY_OUT, see
 * helpers/reliability.ts); after it, one Markdown table printed and written to RELIABILITY.md with
 * the machine, the date and the command.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem, type as osType, release } from "node:os";
import { fileURLToPath } from "node:url";
import type { ReliabilityRow } from "./helpers/reliability.js";

const ORDER = ["push → issues", "audit after idling", "worker SIGKILLed twice", "Redis SIGKILLed and restarted", "Redis down longer than the job lock", "10% of requests failing"];
const COMMAND = "npm run test:reliability";

export function reliabilityTable(rows: readonly ReliabilityRow[]): string {
  const sorted = [...rows].sort((a, b) => ORDER.indexOf(a.scenario) - ORDER.indexOf(b.scenario));
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  return [
    "| scenario | faults injected | findings expected | issues filed | duplicates | lost | seconds to converge after the faults stop |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...sorted.map((r) => `| ${cell(r.scenario)} | ${cell(r.faults)} | ${r.expected} | ${r.filed} | ${r.duplicates} | ${r.lost} | ${r.seconds.toFixed(1)} |`),
  ].join("\n");
}

function machine(): string {
  const cpu = cpus();
  return [
    `- CPU: ${cpu[0]?.model.trim() ?? "unknown"}, ${cpu.length} cores`,
    `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node.js ${process.version} on ${osType()} ${release()}`,
  ].join("\n");
}

function document(table: string, complete: boolean): string {
  return `# Reliability

Measured by \`${COMMAND}\` on ${new Date().toISOString().slice(0, 10)}: the process-level scenarios of
\`test/process/\` (the built \`keywarden\` command as child processes, real Redis, the GitHub stand-in of
\`test/stand-in/\`), with the production job lock for the crash scenario (\`KEYWARDEN_JOB_LOCK_MS\`
unset: 20 s). Goal: 0 duplicates and 0 lost in every scenario, convergence within 60 s.
${complete ? "" : "\n**Incomplete run: a scenario failed or did not report; see the test output.**\n"}
${table}

"Seconds to converge" runs from the moment the fault stopped (the last restart of the worker, Redis
back, faults switched off) or, without faults, from the push or the audit command, to the moment every
expected finding has exactly one open issue and no job is left. Issue and comment creations are paced
about 1 s apart (Octokit's throttling, as GitHub asks of integrations), so much of each figure is that
pacing, not recovery. A crashed worker's jobs come back once their lock (20 s in production) has
expired and the stalled check (every half lock) has run. Under faults, the API's 5xx, 429, secondary
rate limits and dropped connections, and git's 5xx, 429 and dropped connections, are repeated in
place; a job attempt fails only on what is not (such as a git fetch answered 403, which cannot be told
from a refusal) and is then retried after BullMQ's 30 s back-off.

Machine:

${machine()}
`;
}

let out: string;

export function setup(): void {
  out = process.env.KEYWARDEN_RELIABILITY_OUT!;
  rmSync(out, { force: true });
}

export function teardown(): void {
  const rows: ReliabilityRow[] = existsSync(out)
    ? readFileSync(out, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as ReliabilityRow)
    : [];
  rmSync(out, { force: true });
  const table = reliabilityTable(rows);
  const complete = ORDER.every((name) => rows.some((r) => r.scenario === name));
  process.stdout.write(`\n${table}\n\n`);
  writeFileSync(fileURLToPath(new URL("../../RELIABILITY.md", import.meta.url)), document(table, complete));
}
