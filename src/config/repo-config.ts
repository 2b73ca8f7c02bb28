/**
 * `.github/keywarden.yml` (Probot `context.config` hands over the merged object, org fallback and
 * `_extends` already applied). A bad value never stops a scan: each key is validated on its own, a
 * bad one falls back to its default and is reported with its path (`labels.high`, `assignees[2]`),
 * so the repository's owners can be told exactly what to fix.
 */
import { z } from "zod";
import type { Severity } from "../domain/types.js";
import { findRule, rules as allRules } from "../rules/index.js";
import { describe } from "./validation.js";

export interface KeywardenConfig {
  /** Enabled rule ids; undefined means every rule. */
  rules: string[] | undefined;
  minSeverity: Severity;
  ignorePaths: string[];
  labels: { base: string; high: string; medium: string; low: string; info: string };
  /** Fallback assignees when `codeowners` is on and nobody owns the file; else everyone's. */
  assignees: string[];
  /** `assignees: codeowners` (or `codeowners` in the list): assign the finding's file's CODEOWNERS users. */
  codeowners: boolean;
  /** Days to fix, per severity (`sla: { high: 7, medium: 30 }`); a severity absent has no due date. */
  sla: Partial<Record<Severity, number>>;
  maxNewIssuesPerRun: number;
  summary: { repository?: string };
  /**
   * `issues.repository`: the repository (a name in the installation's own account) where findings
   * of a repository whose issues are disabled are filed instead of being skipped.
   */
  issues: { repository?: string };
  audit: { includeArchived: boolean; includeForks: boolean };
  /** `codeScanning: true`: upload each default-branch scan's SARIF to GitHub code scanning (opt-in: it needs Advanced Security on private repositories). */
  codeScanning: boolean;
}

export interface ConfigProblem {
  /** Dotted path of the offending key, e.g. `labels.high` or `assignees[1]`. */
  key: string;
  message: string;
}

export const DEFAULT_CONFIG: Readonly<KeywardenConfig> = Object.freeze({
  rules: undefined,
  minSeverity: "MEDIUM",
  ignorePaths: [],
  labels: { base: "keywarden", high: "severity:high", medium: "severity:medium", low: "severity:low", info: "severity:info" },
  assignees: [],
  codeowners: false,
  sla: {},
  maxNewIssuesPerRun: 20,
  summary: {},
  issues: {},
  audit: { includeArchived: false, includeForks: false },
  codeScanning: false,
});

// A rule id or one of its aliases (a KICS query id), stored as the rule's id.
const ruleId = z.string().transform((id, ctx) => {
  const rule = findRule(id.trim());
  if (rule) return rule.meta.id;
  ctx.addIssue({ code: "custom", message: `unknown rule (known: ${allRules.map((r) => r.meta.id).join(", ")})` });
  return z.NEVER;
});
const severity = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.enum(["HIGH", "MEDIUM", "LOW", "INFO"], { message: "must be one of high, medium, low, info" }));
const glob = z.string().min(1, "must not be empty").max(512, "must be at most 512 characters");
// GitHub label names: up to 50 characters; a comma would split them in the API's label lists.
const labelName = z.string().trim().min(1, "must not be empty").max(50, "must be at most 50 characters").regex(/^[^,]+$/, "must not contain a comma");
// GitHub logins: alphanumerics and single hyphens, up to 39 characters.
const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "must be a GitHub login");
const slaDays = z.number({ message: "must be a number of days" }).int("must be a whole number of days").min(1, "must be at least 1").max(3650, "must be at most 3650");
const repository = z
  .string()
  .regex(/^(?:[A-Za-z0-9-]{1,39}\/)?[A-Za-z0-9._-]{1,100}$/, "must be `repo` or `owner/repo`");

const TOP_KEYS = ["rules", "minSeverity", "ignorePaths", "labels", "assignees", "sla", "maxNewIssuesPerRun", "summary", "issues", "audit", "codeScanning"];
/** Keys Probot's config loader itself understands. */
const PASS_THROUGH = new Set(["_extends"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validate one scalar; on failure report and return the fallback. */
function scalar<T>(schema: z.ZodType<T>, value: unknown, key: string, fallback: T, problems: ConfigProblem[]): T {
  if (value === undefined || value === null) return fallback;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.push({ key, message: `${describe(parsed.error)} (got ${JSON.stringify(value)?.slice(0, 80)}); using the default` });
  return fallback;
}

/** Validate a list item by item: bad items are dropped and reported, good ones kept. */
function list<T>(schema: z.ZodType<T>, value: unknown, key: string, fallback: T[] | undefined, problems: ConfigProblem[]): T[] | undefined {
  if (value === undefined || value === null) return fallback;
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items)) {
    problems.push({ key, message: "must be a list; using the default" });
    return fallback;
  }
  const out: T[] = [];
  items.forEach((item, i) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
    else problems.push({ key: `${key}[${i}]`, message: `${describe(parsed.error)} (got ${JSON.stringify(item)?.slice(0, 80)}); ignored` });
  });
  return [...new Set(out)];
}

function section(value: unknown, key: string, problems: ConfigProblem[], known: string[]): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    problems.push({ key, message: "must be a mapping; using the defaults" });
    return {};
  }
  for (const k of Object.keys(value)) {
    if (!known.includes(k)) problems.push({ key: `${key}.${k}`, message: `unknown key (known: ${known.join(", ")}); ignored` });
  }
  return value;
}

/**
 * `issues.repository`: `repo`, or `owner/repo` with the installation's own account as owner (its
 * token can write nowhere else, and findings must not leave the organization). Stored as the name.
 */
function centralRepository(value: unknown, account: string | undefined, problems: ConfigProblem[]): string | undefined {
  const named = scalar(repository.optional(), value, "issues.repository", undefined, problems);
  if (named === undefined) return undefined;
  const [owner, repo] = named.includes("/") ? named.split("/") : [undefined, named];
  if (repo === "." || repo === "..") {
    problems.push({ key: "issues.repository", message: `must name a repository (got ${JSON.stringify(named)}); findings of repositories with issues disabled are not filed` });
    return undefined;
  }
  if (owner !== undefined && account !== undefined && owner.toLowerCase() !== account.toLowerCase()) {
    problems.push({
      key: "issues.repository",
      message: `must be a repository of ${account} (got ${JSON.stringify(named)}): Keywarden files issues only in the installation's own account; write \`${repo}\` or \`${account}/${repo}\``,
    });
    return undefined;
  }
  return repo;
}

/**
 * Parse the merged configuration object. Never throws. Unknown keys are reported (a typo such as
 * `minSeverty` would otherwise be silently ignored) and otherwise ignored. `account` is the
 * installation's account (the repository's owner), against which `issues.repository` is checked.
 */
export function parseConfig(raw: unknown, context: { account?: string } = {}): { config: KeywardenConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const d = DEFAULT_CONFIG;
  let root: Record<string, unknown> = {};
  if (isPlainObject(raw)) root = raw;
  else if (raw !== undefined && raw !== null) problems.push({ key: "(root)", message: "the configuration must be a mapping; using the defaults" });

  for (const k of Object.keys(root)) {
    if (!TOP_KEYS.includes(k) && !PASS_THROUGH.has(k)) {
      problems.push({ key: k, message: `unknown key (known: ${TOP_KEYS.join(", ")}); ignored` });
    }
  }

  const labels = section(root.labels, "labels", problems, ["base", "high", "medium", "low", "info"]);
  const summary = section(root.summary, "summary", problems, ["repository"]);
  const issues = section(root.issues, "issues", problems, ["repository"]);
  const audit = section(root.audit, "audit", problems, ["includeArchived", "includeForks"]);
  const slaSection = section(root.sla, "sla", problems, ["high", "medium", "low", "info"]);
  const sla: Partial<Record<Severity, number>> = {};
  for (const key of ["high", "medium", "low", "info"] as const) {
    const days = scalar(slaDays.optional(), slaSection[key], `sla.${key}`, undefined, problems);
    if (days !== undefined) sla[key.toUpperCase() as Severity] = days;
  }
  // `assignees: codeowners`, or `codeowners` among the logins (the others are the fallback).
  const isCodeowners = (v: unknown) => typeof v === "string" && v.trim().toLowerCase() === "codeowners";
  const rawAssignees = root.assignees;
  const codeowners = isCodeowners(rawAssignees) || (Array.isArray(rawAssignees) && rawAssignees.some(isCodeowners));
  const assigneeLogins = isCodeowners(rawAssignees) ? [] : Array.isArray(rawAssignees) ? rawAssignees.filter((v) => !isCodeowners(v)) : rawAssignees;

  let rules = list(ruleId, root.rules, "rules", undefined, problems);
  // Every listed rule unknown (a typo): filing nothing would hide findings; keep every rule on.
  if (rules && rules.length === 0 && Array.isArray(root.rules) && root.rules.length > 0) rules = undefined;
  const summaryRepository = scalar(repository.optional(), summary.repository, "summary.repository", undefined, problems);
  const central = centralRepository(issues.repository, context.account, problems);

  const config: KeywardenConfig = {
    rules,
    minSeverity: scalar(severity, root.minSeverity, "minSeverity", d.minSeverity, problems),
    ignorePaths: list(glob, root.ignorePaths, "ignorePaths", [], problems) ?? [],
    labels: {
      base: scalar(labelName, labels.base, "labels.base", d.labels.base, problems),
      high: scalar(labelName, labels.high, "labels.high", d.labels.high, problems),
      medium: scalar(labelName, labels.medium, "labels.medium", d.labels.medium, problems),
      low: scalar(labelName, labels.low, "labels.low", d.labels.low, problems),
      info: scalar(labelName, labels.info, "labels.info", d.labels.info, problems),
    },
    assignees: list(login, assigneeLogins, "assignees", [], problems) ?? [],
    codeowners,
    sla,
    maxNewIssuesPerRun: scalar(
      z.number({ message: "must be a number" }).int("must be a whole number").min(0, "must be 0 or more").max(1000, "must be at most 1000"),
      root.maxNewIssuesPerRun,
      "maxNewIssuesPerRun",
      d.maxNewIssuesPerRun,
      problems,
    ),
    summary: summaryRepository === undefined ? {} : { repository: summaryRepository },
    issues: central === undefined ? {} : { repository: central },
    audit: {
      includeArchived: scalar(z.boolean({ message: "must be true or false" }), audit.includeArchived, "audit.includeArchived", d.audit.includeArchived, problems),
      includeForks: scalar(z.boolean({ message: "must be true or false" }), audit.includeForks, "audit.includeForks", d.audit.includeForks, problems),
    },
    codeScanning: scalar(z.boolean({ message: "must be true or false" }), root.codeScanning, "codeScanning", d.codeScanning, problems),
  };
  return { config, problems };
}

/** The label for a severity under this configuration. */
export function severityLabel(config: KeywardenConfig, severity: Severity): string {
  return config.labels[severity.toLowerCase() as keyof KeywardenConfig["labels"]];
}
