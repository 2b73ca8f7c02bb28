/** Metadata of every registered rule, in registry order: SARIF lists them all in `tool.driver.rules`. */
import { rules } from "../rules/index.js";
import type { RuleMeta } from "../rules/types.js";

export function listRuleMeta(): RuleMeta[] {
  return rules.map((rule) => rule.meta);
}
