/**
 * Hidden markers that identify what Keywarden wrote. The fingerprint marker (design.md, "Issues on
 * GitHub") is what identifies a finding's issue: titles and labels belong to people and may change.
 * The meta marker carries the facts the weekly summary needs (rule, severity, file, resource), so the
 * summary can be rebuilt from GitHub alone even when Redis is lost. Its JSON is base64url-encoded
 * because repository text (paths) could otherwise close the HTML comment.
 *
 * A finding filed in a central repository (`issues.repository`, for a repository whose issues are
 * disabled) also carries a source marker: the source repository's id. Its identity is the pair
 * (source, fingerprint): two repositories with identical files never share an issue, a rename keeps
 * it, and a repository's own sync never sees the central issues of another (plan-issues.ts).
 *
 * Also here: the comment marker (a comment found again after a create failed in flight) and the
 * config-problems marker. The weekly summary's own marker is the summary renderer's
 * (src/summary/render.ts `summaryMarker`, `readSummaryWeek`). A marker only counts in what the app
 * itself wrote: the "is it Keywarden's" rule is the author (src/github/issues-gateway/ownership.ts).
 */
import { createHash } from "node:crypto";
import type { Severity } from "../domain/types.js";

export interface FindingMeta {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  file: string;
  resource: string;
  /** The SLA's due date (`YYYY-MM-DD`, UTC), when the configuration sets one for this severity. */
  due?: string;
  /** A suppressed finding's issue: the exception's `exp:` date (`YYYY-MM-DD`). */
  exceptionExpires?: string;
  /** A suppressed finding's issue: the exception gives no reason. */
  exceptionReasonMissing?: boolean;
  /** Filed centrally: the source repository's `owner/name` when the body was written (for the summary). */
  sourceRepo?: string;
}

const FINGERPRINT_RE = /<!-- keywarden:fingerprint=([0-9a-f]{8,64}) -->/;
const META_RE = /<!-- keywarden:meta=([A-Za-z0-9_-]+) -->/;
const SOURCE_RE = /<!-- keywarden:source=(\d{1,15}) -->/;
const FULL_NAME_RE = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

export function fingerprintMarker(fingerprint: string): string {
  return `<!-- keywarden:fingerprint=${fingerprint} -->`;
}

export function readFingerprint(body: string | null | undefined): string | undefined {
  return body ? FINGERPRINT_RE.exec(body)?.[1] : undefined;
}

/** Marks a finding's issue filed in a central repository with the source repository's id. */
export function sourceMarker(repositoryId: number): string {
  return `<!-- keywarden:source=${repositoryId} -->`;
}

/** The source repository's id of a centrally filed issue; undefined for a repository's own issue. */
export function readSource(body: string | null | undefined): number | undefined {
  const id = body ? SOURCE_RE.exec(body)?.[1] : undefined;
  return id === undefined ? undefined : Number(id);
}

export function metaMarker(meta: FindingMeta): string {
  return `<!-- keywarden:meta=${Buffer.from(JSON.stringify(meta)).toString("base64url")} -->`;
}

/** The meta marker's content, or undefined when absent or not a well-formed FindingMeta. */
export function readMeta(body: string | null | undefined): FindingMeta | undefined {
  const encoded = body ? META_RE.exec(body)?.[1] : undefined;
  if (!encoded) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    if (!value || typeof value !== "object") return undefined;
    const m = value as Record<string, unknown>;
    const strings = ["fingerprint", "ruleId", "severity", "file", "resource"] as const;
    if (!strings.every((k) => typeof m[k] === "string")) return undefined;
    const meta: FindingMeta = { fingerprint: m.fingerprint as string, ruleId: m.ruleId as string, severity: m.severity as Severity, file: m.file as string, resource: m.resource as string };
    const date = (v: unknown): v is string => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
    if (date(m.due)) meta.due = m.due;
    if (date(m.exceptionExpires)) meta.exceptionExpires = m.exceptionExpires;
    if (m.exceptionReasonMissing === true) meta.exceptionReasonMissing = true;
    if (typeof m.sourceRepo === "string" && FULL_NAME_RE.test(m.sourceRepo)) meta.sourceRepo = m.sourceRepo;
    return meta;
  } catch {
    return undefined;
  }
}

/**
 * The markers of a finding's issue: its fingerprint, the source repository's id when it was filed
 * centrally, and the meta marker when it belongs to it.
 */
export function readFindingMarkers(body: string | null | undefined): { fingerprint: string; source?: number; meta?: FindingMeta } | undefined {
  const fingerprint = readFingerprint(body);
  if (!fingerprint) return undefined;
  const source = readSource(body);
  // A meta marker of another finding (pasted from elsewhere) says nothing about this one.
  const meta = readMeta(body);
  return { fingerprint, ...(source !== undefined ? { source } : {}), ...(meta && meta.fingerprint === fingerprint ? { meta } : {}) };
}

/** Hidden marker that lets a repeated comment be recognised (same issue, same text). */
export function commentMarker(issueNumber: number, text: string): string {
  const digest = createHash("sha256").update(`${issueNumber}\n${text}`).digest("hex").slice(0, 16);
  return `<!-- keywarden:comment=${digest} -->`;
}

const CONFIG_PROBLEMS_RE = /<!-- keywarden:config-problems=([0-9a-f]{16}) -->/;

/** Marks the issue reporting one set of configuration problems, by the set's hash. */
export function configProblemsMarker(hash: string): string {
  return `<!-- keywarden:config-problems=${hash} -->`;
}

export function readConfigProblemsHash(body: string | null | undefined): string | undefined {
  return body ? CONFIG_PROBLEMS_RE.exec(body)?.[1] : undefined;
}
