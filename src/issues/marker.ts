/**
 * Hidden markers that identify what Keywarden wrote. The fingerprint marker (design.md, "Issues on
 * GitHub") is what identifies a finding's issue: titles and labels belong to people and may change.
 * The meta marker carries the facts the weekly summary needs (rule, severity, file, resource), so the
 * summary can be rebuilt from GitHub alone even when Redis is lost. Its JSON is base64url-encoded
 * because repository text (paths) could otherwise close the HTML comment.
 */
import type { Severity } from "../domain/types.js";

export interface FindingMeta {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  file: string;
  resource: string;
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
    return strings.every((k) => typeof m[k] === "string") ? (m as unknown as FindingMeta) : undefined;
  } catch {
    return undefined;
  }
}
