/**
 * Shared test data for the summary: GitHub-shaped issues built from the REST API description's own
 * examples (so nock replies look like GitHub's), and a set of finding issues in every state.
 */
import { createRequire } from "node:module";
import { fingerprintMarker, metaMarker, type FindingMeta } from "../../src/issues/marker.js";
import type { FindingIssueRecord } from "../../src/summary/types.js";

const require = createRequire(import.meta.url);
const spec = require("@octokit/openapi/generated/api.github.com.json") as {
  components: { examples: Record<string, { value: unknown }> };
};

export function example<T = Record<string, unknown>>(name: string): T {
  const found = spec.components.examples[name];
  if (!found) throw new Error(`no example ${name} in the OpenAPI description`);
  return structuredClone(found.value) as T;
}

/** An issue as `GET /repos/{owner}/{repo}/issues` returns it, written by the app (the example's pull_request key dropped). */
export function githubIssue(owner: string, repo: string, fields: Record<string, unknown>): Record<string, unknown> {
  const base = example("issue");
  delete base.pull_request;
  // Keywarden's issues are written by its app; tests of people's issues override `user`.
  base.user = { ...(base.user as object), login: "keywarden[bot]", type: "Bot" };
  const number = (fields.number as number | undefined) ?? (base.number as number);
  return {
    ...base,
    url: `https://api.github.com/repos/${owner}/${repo}/issues/${number}`,
    repository_url: `https://api.github.com/repos/${owner}/${repo}`,
    html_url: `https://github.com/${owner}/${repo}/issues/${number}`,
    ...fields,
  };
}

export const HIGH_RULE = "terraform-aws-root-account-has-active-access-keys";
export const MEDIUM_RULE = "terraform-aws-iam-access-key-is-exposed";

export function meta(fingerprint: string, overrides: Partial<FindingMeta> = {}): FindingMeta {
  return { fingerprint, ruleId: HIGH_RULE, severity: "HIGH", file: "main.tf", resource: "aws_iam_access_key.root", ...overrides };
}

export function findingBody(m: FindingMeta, withMeta = true): string {
  return `Keywarden found a problem.\n\n${fingerprintMarker(m.fingerprint)}\n${withMeta ? metaMarker(m) : ""}\n`;
}

let seq = 0;
export function record(
  repo: string,
  number: number,
  fields: Partial<FindingIssueRecord> & { createdAt: string },
  /** null: an issue whose meta marker someone removed. */
  m: FindingMeta | null = meta(`f${String(++seq).padStart(8, "0")}`),
): FindingIssueRecord {
  return {
    repo,
    number,
    url: `https://github.com/${repo}/issues/${number}`,
    state: "open",
    stateReason: null,
    closedAt: null,
    fingerprint: m?.fingerprint ?? `00000000${number}`,
    ...(m ? { meta: m } : {}),
    ...fields,
  };
}

/** Monday of ISO week 2026-W48, at the default summary time. */
export const NOW = new Date("2026-11-23T08:00:00Z");

/**
 * Issues in every state across two repositories (dates chosen so each figure can be worked out by
 * hand; see compute.test.ts).
 */
export function issuesInEveryState(): FindingIssueRecord[] {
  return [
    // acme/api
    record("acme/api", 1, { createdAt: "2026-10-01T00:00:00Z" }, meta("a0000001", { file: "iam/root.tf" })),
    record("acme/api", 2, { createdAt: "2026-11-20T10:00:00Z" }, meta("a0000002", { ruleId: MEDIUM_RULE, severity: "MEDIUM" })),
    record("acme/api", 3, { createdAt: "2026-11-01T00:00:00Z", state: "closed", stateReason: "completed", closedAt: "2026-11-21T00:00:00Z" }, meta("a0000003")),
    record("acme/api", 4, { createdAt: "2026-09-01T00:00:00Z", state: "closed", stateReason: "not_planned", closedAt: "2026-11-22T10:00:00Z" }, meta("a0000004")),
    record("acme/api", 8, { createdAt: "2026-10-05T00:00:00Z", state: "closed", stateReason: "duplicate", closedAt: "2026-10-20T00:00:00Z" }, meta("a0000008")),
    // acme/web
    record("acme/web", 5, { createdAt: "2026-11-22T12:00:00Z" }, meta("b0000005")),
    record("acme/web", 6, { createdAt: "2026-08-01T00:00:00Z", state: "closed", stateReason: "completed", closedAt: "2026-08-11T00:00:00Z" }, meta("b0000006")),
    // meta marker removed by someone: still a finding, severity unknown
    record("acme/web", 7, { createdAt: "2026-11-10T00:00:00Z", stateReason: "reopened" }, null),
  ];
}

export function auditOfEveryKind() {
  return [
    { repo: "acme/api", status: "scanned" as const, findings: 2 },
    { repo: "acme/web", status: "unchanged" as const },
    { repo: "acme/clean", status: "scanned" as const, findings: 0 },
    { repo: "acme/steady", status: "unchanged" as const },
    // two findings the write cap has not filed yet: no issue, still not compliant
    { repo: "acme/pending", status: "scanned" as const, findings: 2 },
    { repo: "acme/broken", status: "failed" as const, reason: "clone timed out after 120 s" },
    { repo: "acme/old", status: "skipped" as const, reason: "archived" },
    { repo: "acme/noissues", status: "scanned" as const, findings: 1, issuesDisabled: true },
  ];
}
