/**
 * What Keywarden filed, read from the stand-in's issues by their hidden markers (as Keywarden itself
 * finds them): per expected finding, is there exactly one open issue, and is any finding filed twice.
 * The markers' format is restated here on purpose (tests import nothing from src/).
 */
import type { StandIn, StoredIssue } from "../../stand-in/index.js";

const FINGERPRINT_RE = /<!-- keywarden:fingerprint=([0-9a-f]{8,64}) -->/;
const META_RE = /<!-- keywarden:meta=([A-Za-z0-9_-]+) -->/;

export const RULES = {
  high: "terraform-aws-root-account-has-active-access-keys",
  medium: "terraform-aws-iam-access-key-is-exposed",
} as const;

/** A finding expected in a repository: its file, resource and rule. */
export interface Expected {
  repo: string;
  file: string;
  resource: string;
  ruleId: string;
}

export interface FindingIssue {
  repo: string;
  issue: StoredIssue;
  fingerprint: string;
  file: string;
  resource: string;
  ruleId: string;
}

export function fingerprintOf(body: string | null): string | undefined {
  return body ? FINGERPRINT_RE.exec(body)?.[1] : undefined;
}

export function metaOf(body: string | null): { fingerprint: string; ruleId: string; severity: string; file: string; resource: string } | undefined {
  const encoded = body ? META_RE.exec(body)?.[1] : undefined;
  return encoded ? JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) : undefined;
}

/** Every finding issue Keywarden filed in `repos` (issues with a fingerprint marker), any state. */
export function findingIssues(gh: StandIn, repos: readonly string[]): FindingIssue[] {
  return repos.flatMap((repo) =>
    gh.issues(repo).flatMap((issue) => {
      const fingerprint = fingerprintOf(issue.body);
      const meta = metaOf(issue.body);
      return fingerprint && meta ? [{ repo, issue, fingerprint, file: meta.file, resource: meta.resource, ruleId: meta.ruleId }] : [];
    }),
  );
}

export interface Census {
  expected: number;
  /** Finding issues filed (any state). */
  filed: number;
  open: number;
  /** Issues beyond the first for one finding (same repository and fingerprint). */
  duplicates: number;
  /** Expected findings without an open issue. */
  lost: number;
  /** Open issues no expected finding accounts for. */
  unexpected: number;
}

const keyOf = (f: { repo: string; file: string; resource: string; ruleId: string }) => `${f.repo}\u0000${f.file}\u0000${f.resource}\u0000${f.ruleId}`;

export function census(gh: StandIn, expected: readonly Expected[]): Census {
  const repos = [...new Set(expected.map((e) => e.repo))];
  const issues = findingIssues(gh, repos);
  const byFingerprint = new Map<string, number>();
  for (const i of issues) byFingerprint.set(`${i.repo}\u0000${i.fingerprint}`, (byFingerprint.get(`${i.repo}\u0000${i.fingerprint}`) ?? 0) + 1);
  const open = issues.filter((i) => i.issue.state === "open");
  const openKeys = new Set(open.map(keyOf));
  const wanted = new Set(expected.map(keyOf));
  return {
    expected: expected.length,
    filed: issues.length,
    open: open.length,
    duplicates: [...byFingerprint.values()].reduce((sum, n) => sum + n - 1, 0),
    lost: expected.filter((e) => !openKeys.has(keyOf(e))).length,
    unexpected: open.filter((i) => !wanted.has(keyOf(i))).length,
  };
}

/** Every expected finding has exactly one issue, open, and nothing else is open. */
export function converged(c: Census): boolean {
  return c.lost === 0 && c.duplicates === 0 && c.unexpected === 0 && c.filed === c.expected;
}

/** An issue being filed: `POST /repos/{owner}/{repo}/issues`. */
export const isIssueCreate = (r: { method: string; path: string }) => r.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/issues$/.test(r.path);
