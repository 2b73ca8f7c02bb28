/**
 * The issue Keywarden files for one finding: written for a busy engineer who should know within a
 * minute what is wrong, where, how to fix it and how to contain the exposed key. Every piece of
 * repository text goes through ./neutralize.ts. The body is a pure function of the finding and the
 * target, so "edit only if changed" can compare bodies byte for byte.
 */
import type { Finding } from "../domain/types.js";
import type { Control, RuleMeta } from "../rules/types.js";
import { getRuleMeta } from "../rules/index.js";
import { fingerprintMarker, metaMarker } from "./marker.js";
import { encodePath, encodePathSegment, fencedBlock, inlineCode, neutralizeProse, neutralizeText, neutralizeTitle } from "./neutralize.js";

export interface IssueTarget {
  /** e.g. `https://github.com` or `http://ghe.example` (no trailing slash needed). */
  serverUrl: string;
  owner?: string;
  repo?: string;
  /** The scanned commit: permalinks point at it so they stay exact after later pushes. */
  commitSha?: string;
}

/** What the body says beyond the finding itself: the SLA's due date, the owning teams. */
export interface IssueExtras {
  /** `YYYY-MM-DD` (UTC): the SLA's due date. */
  due?: string;
  /** The SLA in days the due date comes from. */
  slaDays?: number;
  /** CODEOWNERS teams of the file (`org/team`): named as plain text, never mentioned. */
  teams?: string[];
  /** A suppressed finding's exception facts, for the weekly summary (meta marker only). */
  exceptionExpires?: string;
  exceptionReasonMissing?: boolean;
}

/** GitHub rejects bodies over 65,536 characters; stay clear of it. */
export const MAX_BODY_CHARS = 65_000;

const SEVERITY_BADGE: Record<string, string> = {
  HIGH: "🔴 **High severity**",
  MEDIUM: "🟠 **Medium severity**",
  LOW: "🟡 **Low severity**",
  INFO: "🔵 **Informational**",
};

function lookupRuleMeta(ruleId: string): RuleMeta | undefined {
  try {
    return getRuleMeta(ruleId) ?? undefined;
  } catch {
    return undefined;
  }
}

export function renderIssueTitle(finding: Finding): string {
  return neutralizeTitle(`${finding.title}: ${finding.resource} in ${finding.file}`);
}

/** `${serverUrl}/${owner}/${repo}/blob/${sha}/${path}#L${start}-L${end}`, or undefined without a target repo. */
export function permalink(finding: Finding, target: IssueTarget): string | undefined {
  if (!target.owner || !target.repo || !target.commitSha) return undefined;
  const base = target.serverUrl.replace(/\/+$/, "");
  const { startLine, endLine } = finding.block;
  const lines = endLine > startLine ? `#L${startLine}-L${endLine}` : `#L${startLine}`;
  return `${base}/${encodePathSegment(target.owner)}/${encodePathSegment(target.repo)}/blob/${encodePathSegment(
    target.commitSha,
  )}/${encodePath(finding.file)}${lines}`;
}

/** Keep whole lines of `text` within `maxChars`, saying how much was left out. */
function truncateLines(text: string, maxChars: number): { text: string; omitted: number } {
  if (text.length <= maxChars) return { text, omitted: 0 };
  const lines = text.split("\n");
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    const piece = line.length > maxChars ? line.slice(0, Math.max(0, maxChars - size)) : line;
    if (size + piece.length + 1 > maxChars) break;
    kept.push(piece);
    size += piece.length + 1;
  }
  return { text: kept.join("\n"), omitted: lines.length - kept.length };
}

const ROTATION_STEPS = [
  "1. **Deactivate the key now**: IAM console → the user's (for the root user: *Security credentials* while signed in as root) *Access keys* → *Deactivate*. Deactivating is reversible; deleting is not.",
  "2. **Check what used it**: search CloudTrail for events whose `userIdentity.accessKeyId` is the key, and the IAM credential report's `access_key_last_used` columns.",
  "3. **Move the workloads** that used it to an IAM role or IAM Identity Center (short-lived credentials), never to another root key.",
  "4. **Delete the key**, then apply the Terraform fix above so it is not created again. The secret is also in the Terraform state: treat anyone who can read the state as having seen it.",
];

function renderLocation(finding: Finding, target: IssueTarget): string {
  const link = permalink(finding, target);
  const { startLine, endLine } = finding.block;
  const range = endLine > startLine ? `lines ${startLine}–${endLine}` : `line ${startLine}`;
  const where = link ? `[${inlineCode(finding.file)} ${range}](${link})` : `${inlineCode(finding.file)} ${range}`;
  const commit = target.commitSha ? ` at commit ${inlineCode(target.commitSha.slice(0, 12))}` : "";
  return `**Where:** ${where} (reported line ${finding.line})${commit}, resource ${inlineCode(finding.resource)}`;
}

function renderExtras(extras: IssueExtras): string[] {
  const lines: string[] = [];
  if (extras.due) {
    const sla = extras.slaDays ? ` (SLA: ${extras.slaDays} day${extras.slaDays === 1 ? "" : "s"})` : "";
    lines.push(`**Due:** ${inlineCode(extras.due)}${sla}`, "");
  }
  if (extras.teams?.length) {
    // Teams cannot be assigned: named without the `@`, through the neutraliser, so no one is pinged.
    lines.push(`**Owning teams (CODEOWNERS):** ${extras.teams.map((t) => neutralizeText(t)).join(", ")}`, "");
  }
  return lines;
}

/** The compliance controls the finding fails, each linked to its framework's page. */
export function renderControls(controls: readonly Control[]): string {
  const items = controls.map((c) => {
    const name = neutralizeText(`${c.framework} ${c.id}`);
    const named = /^https:\/\/[^\s()<>[\]]+$/.test(c.url) ? `[${name}](${c.url})` : name;
    const facts = [c.versions, c.note].filter(Boolean).join("; ");
    return `${named} “${neutralizeText(c.title)}”${facts ? ` (${neutralizeText(facts)})` : ""}`;
  });
  return `**Controls:** ${items.join(" · ")}`;
}

export function renderIssueBody(finding: Finding, target: IssueTarget, extras: IssueExtras = {}): string {
  const meta = lookupRuleMeta(finding.ruleId);
  // The rule's own links may be linked where the rule's text cites them; any other URL stays inert.
  const trusted = meta ? [meta.docsUrl, meta.providerDocsUrl, meta.guidanceUrl] : [];
  const head = [
    `${SEVERITY_BADGE[finding.severity] ?? `**${finding.severity}**`} · rule ${inlineCode(finding.ruleId)}${
      meta ? ` · ${neutralizeText(meta.category)} · ${neutralizeText(meta.cwe)}` : ""
    }`,
    "",
    `## ${neutralizeText(meta?.title ?? finding.title)}`,
    "",
    renderLocation(finding, target),
    "",
    ...renderExtras(extras),
    `**What is wrong:** ${neutralizeProse(finding.message, trusted)}`,
    "",
    ...(meta ? [`**Why it matters:** ${neutralizeProse(meta.description, trusted)}`, ""] : []),
    ...(meta?.controls.length ? [renderControls(meta.controls), ""] : []),
  ];
  const fixText = ["### Fix", ""];
  // The rule's remediation is its rotation procedure; the built-in steps stand in when it has none.
  const rotation = [
    "### Rotate the exposed key",
    "",
    ...(finding.remediation.trim() ? [neutralizeProse(finding.remediation, trusted)] : ROTATION_STEPS),
    "",
  ];
  const refs = meta
    ? [
        "### References",
        "",
        `- [Rule documentation](${meta.docsUrl})`,
        `- [Terraform \`aws_iam_access_key\` reference](${meta.providerDocsUrl})`,
        `- [AWS guidance on root user access keys](${meta.guidanceUrl})`,
        "",
      ]
    : [];
  const tail = [
    "<sub>Filed by Keywarden. Fix the code and this issue closes itself on the next scan; close it as *not planned* to accept the risk, or suppress it in code with `# keywarden:ignore RULE_ID reason`.</sub>",
    "",
    ...markers(finding, extras),
  ];

  const assemble = (snippet: string, snippetNote: string, fix: string, fixNote: string): string =>
    [
      ...head,
      "### Offending code",
      "",
      fencedBlock(snippet, "hcl"),
      ...(snippetNote ? ["", snippetNote] : []),
      "",
      ...(fix.trim() ? [...fixText, fencedBlock(fix, "diff"), ...(fixNote ? ["", fixNote] : []), ""] : []),
      ...rotation,
      ...refs,
      ...tail,
    ].join("\n");

  const full = assemble(finding.snippet, "", finding.fix, "");
  if (full.length <= MAX_BODY_CHARS) return full;

  // Too long: share what is left between the snippet and the diff, whole lines only.
  const fixed = assemble("", "_(snippet truncated: 000000 more lines)_", "x", "_(diff truncated: 000000 more lines)_").length;
  const room = Math.max(0, MAX_BODY_CHARS - fixed - 64);
  // Fences grow with backtick runs; neutralisation can also lengthen text, so measure and shrink.
  let share = Math.floor(room / 2);
  for (;;) {
    const s = truncateLines(finding.snippet, share);
    const f = truncateLines(finding.fix, share);
    const body = assemble(
      s.text,
      s.omitted ? `_(snippet truncated: ${s.omitted} more lines; see the permalink)_` : "",
      f.text,
      f.omitted ? `_(diff truncated: ${f.omitted} more lines)_` : "",
    );
    if (body.length <= MAX_BODY_CHARS) return body;
    if (share === 0) return fallbackBody(finding, target, extras);
    share = Math.floor(share * 0.8);
  }
}

/** Last resort when even the fixed parts are too long (a pathological message): markers still end it. */
function fallbackBody(finding: Finding, target: IssueTarget, extras: IssueExtras): string {
  const link = permalink(finding, target);
  return [
    `**${finding.severity}** · rule ${inlineCode(finding.ruleId)}`,
    "",
    `${inlineCode(finding.file.slice(0, 1000))}${link ? ` ([permalink](${link.slice(0, 4000)}))` : ""}`,
    "",
    "_(details omitted: too long for an issue body)_",
    "",
    ...(extras.due ? [`**Due:** ${inlineCode(extras.due)}`, ""] : []),
    ...markers(finding, extras),
  ].join("\n");
}

/** The hidden markers every finding issue ends with (paths capped: they only feed the summary). */
function markers(finding: Finding, extras: IssueExtras): string[] {
  const { fingerprint, ruleId, severity } = finding;
  return [
    fingerprintMarker(fingerprint),
    metaMarker({
      fingerprint,
      ruleId,
      severity,
      file: finding.file.slice(0, 1000),
      resource: finding.resource.slice(0, 1000),
      ...(extras.due ? { due: extras.due } : {}),
      ...(extras.exceptionExpires ? { exceptionExpires: extras.exceptionExpires } : {}),
      ...(extras.exceptionReasonMissing ? { exceptionReasonMissing: true } : {}),
    }),
  ];
}
