/**
 * Reliability figures: with KEYWARDEN_RELIABILITY_OUT set (by `npm run test:reliability`), each
 * scenario appends one row to that JSON-lines file; test/process/reliability-report.ts turns the rows
 * into the table. Without it, `record` does nothing, so `npm test` runs the same scenarios quietly.
 */
import { appendFileSync } from "node:fs";
import type { Census } from "./census.js";

export interface ReliabilityRow {
  scenario: string;
  faults: string;
  expected: number;
  filed: number;
  duplicates: number;
  lost: number;
  /** Seconds from the moment the faults stopped (or the work was asked for) to convergence. */
  seconds: number;
}

/** True in `npm run test:reliability`: scenarios use production settings where the figure needs them. */
export const RELIABILITY_RUN = Boolean(process.env.KEYWARDEN_RELIABILITY_OUT);

export function record(row: { scenario: string; faults: string; census: Census; seconds: number }): void {
  const out = process.env.KEYWARDEN_RELIABILITY_OUT;
  if (!out) return;
  const line: ReliabilityRow = {
    scenario: row.scenario,
    faults: row.faults,
    expected: row.census.expected,
    filed: row.census.filed,
    duplicates: row.census.duplicates,
    lost: row.census.lost,
    seconds: Math.round(row.seconds * 10) / 10,
  };
  appendFileSync(out, `${JSON.stringify(line)}\n`);
}
