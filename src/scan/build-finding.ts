import type { Rule, RuleHit, EvaluatedAccessKey } from "../rules/rule.js";
import type { Finding } from "../domain/types.js";
import { fingerprint } from "../domain/fingerprint.js";

/** Snippets go into issue bodies and reports: keep them bounded. */
const SNIPPET_MAX_LINES = 200;
const SNIPPET_MAX_CHARS = 8_000;

export function buildFinding(rule: Rule, key: EvaluatedAccessKey, hit: RuleHit): Finding {
  return {
    ruleId: rule.meta.id,
    severity: rule.meta.severity,
    title: rule.meta.title,
    file: key.file,
    line: hit.line,
    resource: key.address,
    message: hit.message,
    remediation: hit.remediation,
    fingerprint: fingerprint(rule.meta.id, key.file, key.address),
    block: { ...key.block },
    snippet: capSnippet(key.blockLines),
    fix: hit.fix,
  };
}

/** Whole lines only, so a cut snippet is still exactly the file's text. */
function capSnippet(lines: readonly string[]): string {
  const kept: string[] = [];
  let size = 0;
  for (const line of lines.slice(0, SNIPPET_MAX_LINES)) {
    if (size + line.length + 1 > SNIPPET_MAX_CHARS && kept.length > 0) break;
    kept.push(line);
    size += line.length + 1;
  }
  return kept.join("\n") + "\n";
}
