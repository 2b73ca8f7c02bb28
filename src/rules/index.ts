/**
 * The rule registry. Adding a rule: write its file, then add it to `rules` below; nothing else.
 */
import type { RuleMeta } from "./types.js";
import type { Rule } from "./rule.js";
import { rootAccountHasActiveAccessKeys } from "./root-account-has-active-access-keys.js";
import { iamAccessKeyIsExposed } from "./iam-access-key-is-exposed.js";

export type { Rule, RuleHit, EvaluatedAccessKey, EvaluatedAttribute } from "./rule.js";

export const rules: readonly Rule[] = Object.freeze([rootAccountHasActiveAccessKeys, iamAccessKeyIsExposed]);

export function getRuleMeta(id: string): RuleMeta | undefined {
  return rules.find((rule) => rule.meta.id === id)?.meta;
}

/** The rule whose id or alias (e.g. a KICS query id) is `id`, compared case-insensitively. */
export function findRule(id: string): Rule | undefined {
  const wanted = id.toLowerCase();
  return rules.find((rule) => rule.meta.id === wanted || rule.aliases.some((alias) => alias.toLowerCase() === wanted));
}
