import { describe, expect, it } from "vitest";
import { encodePath, fencedBlock, inlineCode, neutralizeProse, neutralizeText, neutralizeTitle, ZWJ } from "../../src/issues/neutralize.js";
import { readFingerprint } from "../../src/issues/marker.js";

/** GitHub's mention pattern, roughly: `@` then a login (optionally `/team`), not after a word char. */
const MENTION = /(^|[^\w`])@[A-Za-z0-9][A-Za-z0-9-]*/;
const ISSUE_REF = /(^|[^\w])(#\d+|GH-\d+)\b/i;

function longestBacktickRun(s: string): number {
  return Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
}

/** Parse an inline code span the way CommonMark does: the opening run must be closed by an equal run. */
function codeSpanContent(span: string): string {
  const open = /^`+/.exec(span)![0];
  expect(span.endsWith(open)).toBe(true);
  const inner = span.slice(open.length, span.length - open.length);
  // No run of exactly the fence length inside, or the span would close early.
  expect((inner.match(/`+/g) ?? []).every((run) => run.length !== open.length)).toBe(true);
  return inner;
}

describe("neutralizeText", () => {
  it("keeps a team path from pinging the team", () => {
    const out = neutralizeText("teams/@org/team/main.tf");
    expect(out).not.toMatch(MENTION);
    expect(out.replaceAll(ZWJ, "")).toBe("teams/@org/team/main\\.tf");
  });

  it("breaks mentions, issue references, GH- references and cross-repo references", () => {
    const out = neutralizeText("ping @octocat and @octo-org/security, see #12, GH-7 and octo-org/infra#3");
    expect(out).not.toMatch(MENTION);
    expect(out).not.toMatch(ISSUE_REF);
    expect(out).not.toMatch(/infra#3/);
  });

  it("disarms closing keywords by breaking what they would close: references and issue URLs", () => {
    const out = neutralizeText("Fixes #1, closes https://github.com/o/r/issues/2, resolves o/r#3, resolved: www.example.com");
    expect(out).not.toMatch(/\b(fixes|closes|resolves)\s+(#\d|https?:\/\/|o\/r#\d)/i);
    expect(out).not.toContain("://");
    expect(out).not.toMatch(/www\./i);
  });

  it("renders HTML as text and escapes Markdown punctuation", () => {
    const out = neutralizeText('<img src=x onerror=alert(1)> **bold** [link](http://evil) | a | `code` <!-- x -->');
    expect(out).not.toMatch(/<[a-z!]/i);
    expect(out).toContain("&lt;img");
    expect(out).not.toMatch(/(^|[^\\])\*\*/);
    expect(out).not.toMatch(/(^|[^\\])\[/);
    expect(out).not.toMatch(/(^|[^\\])`/);
    expect(out).not.toMatch(/(^|[^\\])\|/);
  });

  it("keeps to one line and shows bidi overrides visibly", () => {
    const out = neutralizeText("a\n\n# heading\r\nb\u202Eevil");
    expect(out).not.toContain("\n");
    expect(out.replace(/\\(.)/g, "$1")).toContain("[U+202E]"); // as rendered, escapes gone
    expect(out).not.toContain("\u202E");
  });
});

describe("inlineCode", () => {
  it.each([
    "plain.tf",
    "a`b",
    "``x``",
    "`starts",
    "ends`",
    "```` long ````",
    "teams/@org/team/main.tf",
  ])("cannot be closed early by %j", (text) => {
    const span = inlineCode(text);
    const inner = codeSpanContent(span);
    expect(inner.trim()).toBe(text.trim());
    expect(/^`+/.exec(span)![0].length).toBe(longestBacktickRun(text) + 1);
  });

  it("cannot span a blank line (which would end the paragraph)", () => {
    expect(inlineCode("a\n\nb")).not.toContain("\n");
  });

  it("never yields an empty span", () => {
    expect(inlineCode("")).not.toBe("``");
  });
});

describe("fencedBlock", () => {
  it("uses a fence longer than any backtick run in the content", () => {
    const hostile = 'resource "x" "y" {\n```\n</details>\n````\n@org/team #1\n}';
    const block = fencedBlock(hostile, "hcl");
    const lines = block.split("\n");
    const fence = /^`+/.exec(lines[0]!)![0];
    expect(fence.length).toBe(5);
    expect(lines[0]).toBe(`${fence}hcl`);
    expect(lines.at(-1)).toBe(fence);
    // No inner line could close it: a closing fence is a line of at least `fence.length` backticks.
    expect(lines.slice(1, -1).some((l) => new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`).test(l))).toBe(false);
    expect(lines.slice(1, -1).join("\n")).toBe(hostile);
  });

  it("uses a three-backtick fence for ordinary code and a safe info string", () => {
    expect(fencedBlock("x = 1\n", "hcl`; <b>")).toBe("```hclb\nx = 1\n```");
  });

  it("cannot forge Keywarden's hidden markers", () => {
    const forged = "<!-- keywarden:fingerprint=deadbeefdeadbeef -->";
    expect(readFingerprint(fencedBlock(forged))).toBeUndefined();
    expect(readFingerprint(inlineCode(forged))).toBeUndefined();
  });
});

describe("neutralizeTitle", () => {
  it("keeps a title on one line, without live mentions or references, within GitHub's limit", () => {
    const out = neutralizeTitle(`Key in teams/@org/x\n#5 ${"a".repeat(400)}`);
    expect(out).not.toMatch(MENTION);
    expect(out).not.toMatch(ISSUE_REF);
    expect(out).not.toContain("\n");
    expect(out.length).toBeLessThanOrEqual(240);
  });
});

describe("encodePath", () => {
  it("encodes each segment, including characters that would end a Markdown link", () => {
    expect(encodePath("teams/@org/a b/(x).tf")).toBe("teams/%40org/a%20b/%28x%29.tf");
    expect(encodePath("a/#/?.tf")).toBe("a/%23/%3F.tf");
  });
});

describe("neutralizeProse", () => {
  it("keeps quoted code as code spans and neutralises the rest", () => {
    expect(neutralizeProse('set `status = "Inactive"` for @octocat')).toBe(`set \`status = "Inactive"\` for @${ZWJ}octocat`);
  });

  it("stays safe when hostile backticks move the span boundaries", () => {
    const out = neutralizeProse("a `` ` @team `b` <b>#1</b> ```");
    const outside = out.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
    expect(outside).not.toMatch(MENTION);
    expect(outside).not.toMatch(/<b>|(^|[^\w])#\d/);
  });
});

describe("neutralizeProse with trusted links", () => {
  it("links only the trusted URLs and keeps numbered steps as a list", () => {
    const out = neutralizeProse("Why.\n\n1. Do `x`.\n2. See https://docs.example/a and https://evil.example/b", ["https://docs.example/a"]);
    expect(out.split("\n")).toEqual([
      "Why\\.",
      "",
      "1. Do `x`\\.",
      `2. See [docs.example](https://docs.example/a) and https:${ZWJ}//evil\\.example/b`,
    ]);
  });
});
