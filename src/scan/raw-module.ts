/**
 * What one parsed file contributes to its module, before evaluation. Values are raw: strings may
 * still hold `${...}` templates (hcl2json writes every expression that way; Terraform JSON uses
 * the same form).
 */
export interface RawAttribute {
  /** 1-based lines of the attribute, from its name to the end of its value. */
  line: number;
  endLine: number;
  /** 0-based column of the name in its line (Terraform JSON only, where one line may hold many). */
  column?: number;
  raw: unknown;
}

export interface RawAccessKey {
  file: string;
  name: string;
  syntax: "hcl" | "json";
  headerLine: number;
  block: { startLine: number; endLine: number };
  /** Just after the body's opening brace (Terraform JSON only): where a fix adds an attribute. */
  bodyOpen?: { line: number; column: number };
  attributes: Map<string, RawAttribute>;
}

export interface RawDefinitions {
  /** Declared variables: name → default (undefined when the declaration has none). */
  variables: Map<string, { hasDefault: boolean; value: unknown }>;
  locals: Map<string, unknown>;
  /** aws_iam_user resources: name → raw `name` attribute. */
  users: Map<string, unknown>;
}

export function emptyDefinitions(): RawDefinitions {
  return { variables: new Map(), locals: new Map(), users: new Map() };
}

/** Terraform (and hcl2json) allow a block body to be one object or a list of them. */
export function asBodies(value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v));
}

function entries(value: unknown): [string, unknown][] {
  return asBodies(value).flatMap((body) => Object.entries(body));
}

/** Collects variables, locals and aws_iam_user names from a document in hcl2json / Terraform JSON form. */
export function collectDefinitions(doc: Record<string, unknown>, into: RawDefinitions): void {
  for (const [name, decl] of entries(doc["variable"])) {
    const body = asBodies(decl)[0];
    if (!body) continue;
    const hasDefault = Object.prototype.hasOwnProperty.call(body, "default");
    into.variables.set(name, { hasDefault, value: hasDefault ? body["default"] : undefined });
  }
  for (const [name, value] of entries(doc["locals"])) into.locals.set(name, value);
  for (const resources of asBodies(doc["resource"])) {
    for (const [name, decl] of entries(resources["aws_iam_user"])) {
      const body = asBodies(decl)[0];
      if (body && "name" in body) into.users.set(name, body["name"]);
    }
  }
}
