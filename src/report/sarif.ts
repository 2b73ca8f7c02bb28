/**
 * The `sarif` format: SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).
 * GitHub reads rule metadata from `tool.driver.rules` (help, tags, `security-severity`, `precision`),
 * tracks alerts across runs through `partialFingerprints`, and treats results that carry
 * `suppressions` as dismissed, which is how suppression comments in the code reach it.
 */
import type * as Sarif from "sarif";
import type { RuleMeta } from "../rules/types.js";
import { controlName, controlTag } from "../rules/controls.js";
import type { Finding, ScanResult, Severity, SuppressedFinding } from "../domain/types.js";
import { sortFindings } from "./sort-findings.js";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** The key under which Keywarden's own fingerprint travels in `partialFingerprints`. */
export const SARIF_FINGERPRINT_KEY = "keywarden/v1";

/** The uriBaseId every artifact location is relative to. */
export const SARIF_URI_BASE_ID = "%SRCROOT%";

export interface SarifOptions {
  /** Metadata for every rule that ran (the registry), in a stable order. */
  rules: readonly RuleMeta[];
  toolVersion: string;
  /**
   * POSIX path from the SARIF base to the scanned root ("" when they are the same). GitHub resolves
   * URIs against the repository root, so the CLI points the base at the working directory when the
   * scanned path lies inside it.
   */
  uriPrefix?: string;
  /** Absolute `file:` URI of the base, ending in "/", for `originalUriBaseIds`. */
  baseUri?: string;
}

/**
 * GitHub code scanning maps `security-severity` to its labels: over 9.0 critical, 7.0-8.9 high,
 * 4.0-6.9 medium, 0.1-3.9 low. INFO carries none, so it is not shown as a security severity.
 */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  HIGH: "8.0",
  MEDIUM: "5.5",
  LOW: "3.0",
  INFO: undefined,
};

const LEVEL: Record<Severity, Sarif.Result.level> = { HIGH: "error", MEDIUM: "warning", LOW: "note", INFO: "note" };

/** A relative POSIX path as a URI reference: each segment percent-encoded (spaces, `#`, `%`, `?`...). */
export function pathToUriReference(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

function joinPrefix(prefix: string | undefined, file: string): string {
  if (!prefix || prefix === ".") return file;
  return `${prefix.replace(/\/+$/, "")}/${file}`;
}

/** `terraform-aws-iam-access-key-is-exposed` titled "IAM access key is exposed" → `IamAccessKeyIsExposed`. */
function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())
    .join("");
}

function cweTag(cwe: string): string | undefined {
  const n = /(\d+)/.exec(cwe)?.[1];
  return n ? `external/cwe/cwe-${n}` : undefined;
}

function ruleHelp(meta: RuleMeta): Sarif.MultiformatMessageString {
  const text =
    `${meta.shortDescription}\n\n${meta.description}\n\n` +
    `Rule documentation: ${meta.docsUrl}\nAWS guidance: ${meta.guidanceUrl}\n` +
    `Terraform resource: ${meta.providerDocsUrl}` +
    meta.controls.map((c) => `\nControl: ${controlName(c)} "${c.title}"${controlFacts(c)}: ${c.url}`).join("");
  const markdown =
    `${meta.shortDescription}\n\n${meta.description}\n\n` +
    `Severity: **${meta.severity}** · Category: ${meta.category} · ${meta.cwe}\n\n` +
    `- [Rule documentation](${meta.docsUrl})\n` +
    `- [AWS guidance on root user access keys](${meta.guidanceUrl})\n` +
    `- [Terraform resource reference](${meta.providerDocsUrl})` +
    (meta.controls.length
      ? `\n\nControls:\n\n${meta.controls.map((c) => `- [${controlName(c)}](${c.url}): ${c.title}${controlFacts(c)}`).join("\n")}`
      : "");
  return { text, markdown };
}

function controlFacts(c: RuleMeta["controls"][number]): string {
  const facts = [c.versions, c.note].filter(Boolean).join("; ");
  return facts ? ` (${facts})` : "";
}

function ruleDescriptor(meta: RuleMeta): Sarif.ReportingDescriptor {
  const tags = ["security", "terraform", meta.provider.toLowerCase(), meta.category, meta.cwe];
  const cwe = cweTag(meta.cwe);
  if (cwe) tags.push(cwe);
  // Control tags let code scanning filter alerts by the control an auditor asks about.
  tags.push(...meta.controls.map(controlTag));
  const properties: Sarif.PropertyBag = { tags, precision: "high", controls: meta.controls.map((c) => ({ ...c })) };
  const securitySeverity = SECURITY_SEVERITY[meta.severity];
  if (securitySeverity) properties["security-severity"] = securitySeverity;
  return {
    id: meta.id,
    name: ruleName(meta.title),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.shortDescription },
    help: ruleHelp(meta),
    helpUri: meta.docsUrl,
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties,
  };
}

/** A rule the registry does not describe (should not happen) still gets a valid descriptor. */
function fallbackDescriptor(f: Finding): Sarif.ReportingDescriptor {
  return {
    id: f.ruleId,
    name: ruleName(f.title),
    shortDescription: { text: f.title },
    // GitHub's ingestion rules (GH2012) want both on every descriptor.
    fullDescription: { text: f.title },
    help: { text: f.title, markdown: f.title.replace(/([\\`*_[\]<>])/g, "\\$1") },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: { tags: ["security", "terraform"] },
  };
}

function artifactLocation(file: string, options: SarifOptions): Sarif.ArtifactLocation {
  return { uri: pathToUriReference(joinPrefix(options.uriPrefix, file)), uriBaseId: SARIF_URI_BASE_ID };
}

function toResult(
  f: Finding | SuppressedFinding,
  ruleIndex: number,
  options: SarifOptions,
): Sarif.Result {
  const result: Sarif.Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(f.file, options),
          region: { startLine: f.line },
          contextRegion: {
            startLine: f.block.startLine,
            endLine: Math.max(f.block.startLine, f.block.endLine),
            snippet: { text: f.snippet },
          },
        },
        logicalLocations: [{ fullyQualifiedName: f.resource, kind: "resource" }],
      },
    ],
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: f.fingerprint },
    properties: { severity: f.severity, resource: f.resource, remediation: f.remediation, fix: f.fix },
  };
  if ("suppression" in f) {
    const s = f.suppression;
    result.suppressions = [
      {
        kind: "inSource",
        status: "accepted",
        // SARIF 2.1.0 has no expiry on a suppression: the date goes in the justification people read
        // and in properties.expires for tools.
        justification: `${s.reason || `suppressed by ${s.comment}`}${
          s.expires ? ` (exception expires ${s.expires}: the finding is live again from 00:00 UTC that day)` : ""
        }`,
        location: {
          physicalLocation: { artifactLocation: artifactLocation(f.file, options), region: { startLine: s.line } },
        },
        properties: { source: s.source, comment: s.comment, ...(s.expires ? { expires: s.expires } : {}) },
      },
    ];
  }
  return result;
}

/**
 * The descriptors of the notifications the run can carry. GitHub's ingestion rules (GH2012) want a
 * fullDescription and help on every reporting descriptor, notifications included.
 */
const NOTIFICATION_DESCRIPTORS: Sarif.ReportingDescriptor[] = [
  {
    id: "file-error",
    shortDescription: { text: "A Terraform file could not be read or parsed." },
    fullDescription: {
      text: "A Terraform file could not be read or parsed, so it was not checked: a finding in it would be missed. The notification names the file and the parser's message.",
    },
    help: {
      text: "Fix the file's syntax (terraform validate shows the same error), or leave it out with ignorePaths in .github/keywarden.yml if it is not Terraform Keywarden should read.",
      markdown:
        "Fix the file's syntax (`terraform validate` shows the same error), or leave it out with `ignorePaths` in `.github/keywarden.yml` if it is not Terraform Keywarden should read.",
    },
  },
  {
    id: "file-skipped",
    shortDescription: { text: "A file was left out of the scan (size, type, symlink)." },
    fullDescription: {
      text: "A file was left out of the scan: larger than the size limit (1 MiB by default), binary, not UTF-8, or a symlink (never followed). The notification says which and why.",
    },
    help: {
      text: "Nothing to do when the file is generated or vendored. If it holds Terraform you wrote, split it below the size limit, save it as UTF-8, or replace the symlink with the file itself.",
      markdown:
        "Nothing to do when the file is generated or vendored. If it holds Terraform you wrote, split it below the size limit, save it as UTF-8, or replace the symlink with the file itself.",
    },
  },
];

export function buildSarif(result: ScanResult, options: SarifOptions): Sarif.Log {
  const descriptors = options.rules.map(ruleDescriptor);
  const indexById = new Map(descriptors.map((d, i) => [d.id, i]));
  const indexOf = (f: Finding): number => {
    let i = indexById.get(f.ruleId);
    if (i === undefined) {
      i = descriptors.push(fallbackDescriptor(f)) - 1;
      indexById.set(f.ruleId, i);
    }
    return i;
  };

  const results = [
    ...sortFindings(result.findings).map((f) => toResult(f, indexOf(f), options)),
    ...sortFindings(result.suppressed).map((f) => toResult(f, indexOf(f), options)),
  ];

  const notifications: Sarif.Notification[] = [
    ...result.errors.map(
      (e): Sarif.Notification => ({
        level: "error",
        message: { text: `${e.file}: ${e.message}` },
        locations: [{ physicalLocation: { artifactLocation: artifactLocation(e.file, options) } }],
        descriptor: { id: "file-error" },
      }),
    ),
    ...result.stats.skipped.map(
      (s): Sarif.Notification => ({
        level: "warning",
        message: { text: `${s.file}: skipped (${s.reason}${s.detail ? `: ${s.detail}` : ""})` },
        locations: [{ physicalLocation: { artifactLocation: artifactLocation(s.file, options) } }],
        descriptor: { id: "file-skipped" },
      }),
    ),
  ];

  const run: Sarif.Run = {
    tool: {
      driver: {
        name: "Keywarden",
        semanticVersion: options.toolVersion,
        version: options.toolVersion,
        rules: descriptors,
        notifications: NOTIFICATION_DESCRIPTORS,
      },
    },
    invocations: [
      {
        executionSuccessful: true,
        toolExecutionNotifications: notifications,
      },
    ],
    results,
    columnKind: "utf16CodeUnits",
    properties: {
      filesDiscovered: result.stats.filesDiscovered,
      filesParsed: result.stats.filesParsed,
      bytesRead: result.stats.bytesRead,
      modules: result.stats.modules,
    },
  };
  if (options.baseUri) run.originalUriBaseIds = { [SARIF_URI_BASE_ID]: { uri: options.baseUri } };

  return { $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs: [run] };
}

export function formatSarif(result: ScanResult, options: SarifOptions): string {
  return JSON.stringify(buildSarif(result, options), null, 2) + "\n";
}
