/**
 * Hidden markers that identify what Keywarden wrote. The fingerprint marker (design.md, "Issues on
 * GitHub") is what identifies a finding's issue: titles and labels belong to people and may change.
 * The meta marker carries the facts the weekly summary needs (rule, severity, file, resource), so the
 * summary can be rebuilt from GitHub alone even when Redis is lost. Its JSON is base64url-encoded
 * because repository text (paths) could otherwise close the HTML comment.
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
}

const FINGERPRINT_RE = /<!-- keywarden:fingerprint=([0-9a-f]{8,64}) -->/;
const META_RE = /<!-- keywarden:meta=([A-Za-z0-9_-]+) -->/;

export function fingerprintMarker(fingerprint: string): string {
  return `<!-- keywarden:fingerprint=${fingerprint} -->`;
}

export function readFingerprint(body: string | null | undefined): string | undefined {
  return body ? FINGERPRINT_RE.exec(body)?.[1] : undefined;
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
    return meta;
  } catch {
    return undefined;
  }
}

/** The markers of a finding's issue: its fingerprint, and the meta marker when it belongs to it. */
export function readFindingMarkers(body: string | null | undefined): { fingerprint: string; meta?: FindingMeta } | undefined {
  const fingerprint = readFingerprint(body);
  if (!fingerprint) return undefined;
  // A meta marker of another finding (pasted from elsewhere) says nothing about this one.
  const meta = readMeta(body);
  return meta && meta.fingerprint === fingerprint ? { fingerprint, meta } : { fingerprint };
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
