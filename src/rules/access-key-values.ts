import type { EvaluatedAccessKey, EvaluatedAttribute } from "./rule.js";

/** How a value reads in a message: strings quoted, everything else as JSON. */
export function describeValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

/** The `user` attribute as text, or undefined when it is missing or not a scalar. */
export function userText(key: EvaluatedAccessKey): string | undefined {
  const user = key.attributes["user"];
  if (!user) return undefined;
  const v = user.value;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export interface KeyStatus {
  /** True when the key is active: status absent, unresolvable, or "Active" in any case. */
  active: boolean;
  /** The status attribute when it is present and resolved (it then decides the reported line). */
  present: EvaluatedAttribute | undefined;
}

/** AWS creates keys Active unless told otherwise; a status that is null or cannot be resolved counts as absent. */
export function keyStatus(key: EvaluatedAccessKey): KeyStatus {
  const status = key.attributes["status"];
  // In Terraform, an attribute set to null is an attribute left unset.
  if (!status || !status.resolved || status.value === null || status.value === undefined) return { active: true, present: undefined };
  // Surrounding whitespace (a heredoc's final newline) is not part of the value AWS would check.
  const active = typeof status.value === "string" && status.value.trim().toLowerCase() === "active";
  return { active, present: status };
}

/** The status part of a message: the value given, or why an absent status still means Active. */
export function describeStatus(status: KeyStatus): string {
  return status.present ? `status ${describeValue(status.present.value)}` : 'no status, so it defaults to "Active"';
}
