import { describe, expect, it } from "vitest";
import { codeownersOf, parseCodeowners } from "../../src/issues/codeowners.js";

// GitHub's documented example file ("About code owners"), trimmed to its distinct cases.
const EXAMPLE = `
# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most precedence.
*.js    @js-owner #This is an inline comment.

*.go docs@example.com

*.txt @octo-org/octocats

/build/logs/ @doctocat

docs/*  docs@example.com

apps/ @octocat

/docs/ @doctocat

/scripts/ @doctocat @octocat

**/logs @octocat

/apps/ @octocat
/apps/github
`;

describe("CODEOWNERS matching (GitHub's documented examples)", () => {
  const owners = parseCodeowners(EXAMPLE);
  const users = (path: string) => owners.ownersOf(path).users;

  it("`*` owns everything no later pattern matches", () => {
    expect(users("README.md")).toEqual(["global-owner1", "global-owner2"]);
    expect(users(".hidden/config.tf")).toEqual(["global-owner1", "global-owner2"]);
  });
  it("`*.js` matches at any depth, and the last match wins over `*`", () => {
    expect(users("src/app/index.js")).toEqual(["js-owner"]);
  });
  it("email owners are ignored (no user, no team)", () => {
    expect(owners.ownersOf("main.go")).toEqual({ users: [], teams: [] });
  });
  it("`@org/team` owners are teams, not users", () => {
    expect(owners.ownersOf("notes/a.txt")).toEqual({ users: [], teams: ["octo-org/octocats"] });
  });
  it("`/build/logs/` owns everything below it at the root only", () => {
    const p = parseCodeowners("* @all\n/build/logs/ @doctocat\n");
    expect(p.ownersOf("build/logs/deep/x.tf").users).toEqual(["doctocat"]);
    expect(p.ownersOf("other/build/logs/x.tf").users).toEqual(["all"]);
    expect(users("build/logs/x.tf")).toEqual(["octocat"]); // `**/logs` comes later and wins
  });
  it("`docs/*` owns direct children only; `/docs/` then takes the whole tree", () => {
    const p = parseCodeowners("* @all\ndocs/* @docs-direct\n");
    expect(p.ownersOf("docs/getting-started.md").users).toEqual(["docs-direct"]);
    expect(p.ownersOf("docs/build-app/troubleshooting.md").users).toEqual(["all"]);
    expect(users("docs/build-app/troubleshooting.md")).toEqual(["doctocat"]);
  });
  it("`apps/` matches an apps directory anywhere", () => {
    const p = parseCodeowners("apps/ @octocat\n");
    expect(p.ownersOf("apps/main.tf").users).toEqual(["octocat"]);
    expect(p.ownersOf("infra/apps/main.tf").users).toEqual(["octocat"]);
    expect(p.ownersOf("appsx/main.tf").users).toEqual([]);
  });
  it("`/scripts/` with two owners", () => {
    expect(users("scripts/a/b.sh")).toEqual(["doctocat", "octocat"]);
  });
  it("`**/logs` matches a logs directory at any depth", () => {
    expect(users("a/b/logs/x.tf")).toEqual(["octocat"]);
    expect(users("logs/x.tf")).toEqual(["octocat"]);
  });
  it("a pattern with no owners un-owns what it matches", () => {
    expect(users("apps/web/x.tf")).toEqual(["octocat"]);
    expect(owners.ownersOf("apps/github/x.tf")).toEqual({ users: [], teams: [] });
  });
  it("an empty file owns nothing", () => {
    expect(codeownersOf("", "main.tf")).toEqual({ users: [], teams: [] });
  });
});
