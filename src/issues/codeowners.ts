/**
 * CODEOWNERS, with GitHub's rules: the last matching pattern wins; a pattern with no owners un-owns
 * what it matches; patterns follow gitignore's syntax as GitHub documents it (`*`, `*.js`,
 * `/build/logs/`, `docs/*` for direct children only, `apps/` anywhere, `/docs/` at the root,
 * `**\/logs`). Owners are `@user`, `@org/team` or an email address. Pure: text in, owners out. The
 * patterns are translated to picomatch globs (picomatch alone matches like a shell glob, not like
 * gitignore: a slash-free pattern would only match at the root).
 */
import picomatch from "picomatch";

/** GitHub reads the first of these that exists. */
export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

export interface Owners {
  /** `@user` owners, without the `@`: can be assigned. */
  users: string[];
  /** `@org/team` owners, without the `@`: cannot be assigned, only named. */
  teams: string[];
}

interface Rule {
  match: (path: string) => boolean;
  owners: string[];
}

/** The picomatch globs a CODEOWNERS pattern stands for. */
export function patternGlobs(pattern: string): string[] {
  let p = pattern;
  const directoryOnly = p.endsWith("/");
  if (directoryOnly) p = p.replace(/\/+$/, "");
  // A slash at the start or in the middle anchors the pattern at the repository root.
  const anchored = p.startsWith("/") || p.includes("/");
  p = p.replace(/^\/+/, "");
  if (p === "") return [];
  const base = anchored || p.startsWith("**/") ? p : `**/${p}`;
  if (directoryOnly) return [`${base}/**`];
  // `docs/*` matches the files directly in docs/, not deeper ones (GitHub's documented example).
  if (base.endsWith("/*")) return [base];
  // Otherwise a match may be a directory, which owns everything beneath it.
  return [base, `${base}/**`];
}

function parse(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    // Escaped spaces (`\ `) belong to the pattern.
    const parts = line.match(/(?:\\ |\S)+/g) ?? [];
    const [pattern, ...owners] = parts;
    if (!pattern) continue;
    const globs = patternGlobs(pattern.replace(/\\ /g, " "));
    if (globs.length === 0) continue;
    rules.push({ match: picomatch(globs, { dot: true }), owners });
  }
  return rules;
}

/** A parsed CODEOWNERS file: `ownersOf(path)` for repository-relative POSIX paths. */
export function parseCodeowners(text: string): { ownersOf(path: string): Owners } {
  const rules = parse(text);
  return {
    ownersOf(path: string): Owners {
      const file = path.replace(/^\.?\/+/, "");
      let owners: string[] = [];
      for (const rule of rules) if (rule.match(file)) owners = rule.owners; // the last match wins
      const users: string[] = [];
      const teams: string[] = [];
      for (const owner of owners) {
        if (!owner.startsWith("@")) continue; // an email address: not a GitHub login
        const name = owner.slice(1);
        if (/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(name)) teams.push(name);
        else if (/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(name)) users.push(name);
      }
      return { users: [...new Set(users)], teams: [...new Set(teams)] };
    },
  };
}

/** The owners of `path` under the CODEOWNERS `text`. */
export function codeownersOf(text: string, path: string): Owners {
  return parseCodeowners(text).ownersOf(path);
}
