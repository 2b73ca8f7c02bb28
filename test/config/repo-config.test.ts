import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { DEFAULT_CONFIG, parseConfig } from "../../src/config/repo-config.js";

describe("parseConfig", () => {
  it("gives the documented defaults for an absent file", () => {
    const { config, problems } = parseConfig(undefined);
    expect(problems).toEqual([]);
    expect(config).toEqual({
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
  });

  it("reads a complete, valid file", () => {
    const raw = parseYaml(`
rules: [terraform-aws-root-account-has-active-access-keys]
minSeverity: high
ignorePaths: ["examples/**", "test/**/*.tf"]
labels: { base: security, high: "sev:1" }
assignees: [octocat, hubot]
maxNewIssuesPerRun: 5
summary: { repository: octo-org/security }
audit: { includeArchived: true }
_extends: .github
`);
    const { config, problems } = parseConfig(raw);
    expect(problems).toEqual([]);
    expect(config.rules).toEqual(["terraform-aws-root-account-has-active-access-keys"]);
    expect(config.minSeverity).toBe("HIGH");
    expect(config.ignorePaths).toEqual(["examples/**", "test/**/*.tf"]);
    expect(config.labels).toMatchObject({ base: "security", high: "sev:1", medium: "severity:medium" });
    expect(config.assignees).toEqual(["octocat", "hubot"]);
    expect(config.maxNewIssuesPerRun).toBe(5);
    expect(config.summary).toEqual({ repository: "octo-org/security" });
    expect(config.audit).toEqual({ includeArchived: true, includeForks: false });
  });

  it("names every bad key, keeps the good ones and falls back to defaults for the rest", () => {
    const { config, problems } = parseConfig({
      minSeverity: "critical",
      maxNewIssuesPerRun: "lots",
      labels: { high: "", medium: "a,b", colour: "red" },
      assignees: ["octocat", "not a login", 42],
      ignorePaths: "vendor/**",
      audit: { includeForks: "yes" },
      summary: "octo-org/security",
      minSeverty: "high",
    });
    const keys = problems.map((p) => p.key).sort();
    expect(keys).toEqual(
      [
        "minSeverity",
        "maxNewIssuesPerRun",
        "labels.high",
        "labels.medium",
        "labels.colour",
        "assignees[1]",
        "assignees[2]",
        "audit.includeForks",
        "summary",
        "minSeverty",
      ].sort(),
    );
    expect(problems.find((p) => p.key === "minSeverity")!.message).toMatch(/high, medium, low, info/);
    expect(config.minSeverity).toBe(DEFAULT_CONFIG.minSeverity);
    expect(config.maxNewIssuesPerRun).toBe(20);
    expect(config.labels.high).toBe("severity:high");
    expect(config.labels.medium).toBe("severity:medium");
    expect(config.assignees).toEqual(["octocat"]);
    expect(config.ignorePaths).toEqual(["vendor/**"]); // a single string is taken as a one-item list
    expect(config.audit.includeForks).toBe(false);
    expect(config.summary).toEqual({});
  });

  it("never throws, whatever the input", () => {
    for (const raw of [null, 42, "text", [], [1, 2], { rules: {} }, { labels: [] }, { rules: [null, "Bad Id"] }]) {
      const { config, problems } = parseConfig(raw);
      expect(config.minSeverity).toBe("MEDIUM");
      if (raw !== null) expect(problems.length).toBeGreaterThan(0);
    }
    expect(parseConfig({ rules: [null, "Bad Id"] }).problems.map((p) => p.key)).toEqual(["rules[0]", "rules[1]"]);
  });
});

describe("parseConfig codeScanning", () => {
  it("is off unless a repository opts in with a boolean; anything else is named and ignored", () => {
    expect(parseConfig(parseYaml("codeScanning: true")).config.codeScanning).toBe(true);
    expect(parseConfig({ codeScanning: false })).toEqual({ config: expect.objectContaining({ codeScanning: false }), problems: [] });
    for (const bad of ["yes", 1, [true], { enabled: true }]) {
      const { config, problems } = parseConfig({ codeScanning: bad });
      expect(config.codeScanning).toBe(false);
      expect(problems).toEqual([{ key: "codeScanning", message: expect.stringMatching(/^must be true or false .*; using the default$/) }]);
    }
    // A typo is named with the known keys, which include codeScanning.
    expect(parseConfig({ codeScaning: true }).problems).toEqual([{ key: "codeScaning", message: expect.stringContaining("codeScanning") }]);
  });
});

describe("parseConfig rules", () => {
  it("accepts rule ids and aliases, names unknown ones, and never ends up with no rule by a typo", () => {
    const some = parseConfig({ rules: ["terraform-aws-root-account-has-active-access-keys", "terraform-aws-root-acount-typo"] });
    expect(some.config.rules).toEqual(["terraform-aws-root-account-has-active-access-keys"]);
    expect(some.problems).toEqual([{ key: "rules[1]", message: expect.stringMatching(/unknown rule/) }]);
    const none = parseConfig({ rules: ["nope"] });
    expect(none.config.rules).toBeUndefined();
    expect(none.problems.map((p) => p.key)).toEqual(["rules[0]"]);
    expect(parseConfig({ rules: [] }).config.rules).toEqual([]); // explicitly none: respected
  });

  it("reads `assignees: codeowners`, alone or with fallback logins", () => {
    expect(parseConfig({ assignees: "codeowners" })).toMatchObject({ config: { codeowners: true, assignees: [] }, problems: [] });
    expect(parseConfig({ assignees: ["codeowners", "security-oncall"] })).toMatchObject({ config: { codeowners: true, assignees: ["security-oncall"] }, problems: [] });
    expect(parseConfig({ assignees: ["octocat"] }).config.codeowners).toBe(false);
  });

  it("reads `sla` days per severity, reporting bad values", () => {
    expect(parseConfig(parseYaml("sla: { high: 7, medium: 30 }")).config.sla).toEqual({ HIGH: 7, MEDIUM: 30 });
    const { config, problems } = parseConfig({ sla: { high: 0, medium: "soon", urgent: 1 } });
    expect(config.sla).toEqual({});
    expect(problems.map((p) => p.key).sort()).toEqual(["sla.high", "sla.medium", "sla.urgent"]);
  });
});

describe("parseConfig issues.repository", () => {
  const central = (value: unknown, account = "octo-org") => parseConfig({ issues: { repository: value } }, { account });

  it("takes `repo` or `owner/repo` in the installation's own account (any case), stored as the name", () => {
    expect(central("security-findings")).toEqual({ config: expect.objectContaining({ issues: { repository: "security-findings" } }), problems: [] });
    expect(central("Octo-Org/security-findings").config.issues).toEqual({ repository: "security-findings" });
    expect(parseConfig({}).config.issues).toEqual({});
  });

  it("refuses another account's repository, naming the key, the account and how to write it", () => {
    const { config, problems } = central("evil-corp/inbox");
    expect(config.issues).toEqual({});
    expect(problems).toEqual([
      {
        key: "issues.repository",
        message: 'must be a repository of octo-org (got "evil-corp/inbox"): Keywarden files issues only in the installation\'s own account; write `inbox` or `octo-org/inbox`',
      },
    ]);
  });

  it("refuses what is not a repository name, and unknown keys of the section", () => {
    for (const bad of ["a/b/c", "has space", "..", 42]) {
      const { config, problems } = central(bad);
      expect(config.issues, String(bad)).toEqual({});
      expect(problems.map((p) => p.key), String(bad)).toEqual(["issues.repository"]);
    }
    expect(parseConfig({ issues: { repo: "x" } }).problems).toEqual([{ key: "issues.repo", message: "unknown key (known: repository); ignored" }]);
    expect(parseConfig({ issues: "x" }).problems).toEqual([{ key: "issues", message: "must be a mapping; using the defaults" }]);
  });
});
