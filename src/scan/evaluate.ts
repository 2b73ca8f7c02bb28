import type { RawDefinitions } from "./raw-module.js";
import { closingBrace } from "../domain/closing-brace.js";
import { NeedsFullParse, UNCONVERTED } from "./hcl-values.js";

export interface Evaluated {
  value: unknown;
  /** False when some reference in the value could not be resolved. */
  resolved: boolean;
}

/** Variables after Terraform's precedence: default, then terraform.tfvars, then *.auto.tfvars. */
export interface ModuleScope {
  variables: Map<string, Evaluated>;
  locals: Map<string, unknown>;
  users: Map<string, unknown>;
}

/**
 * Builds the scope of one module directory. `tfvars` must be in Terraform's load order; a value
 * for a variable the module never declares is ignored, as Terraform does (it only warns).
 */
export function buildScope(defs: RawDefinitions, tfvars: readonly Record<string, unknown>[]): ModuleScope {
  const variables = new Map<string, Evaluated>();
  for (const [name, decl] of defs.variables) {
    if (decl.hasDefault) variables.set(name, { value: decl.value, resolved: true });
  }
  for (const file of tfvars) {
    for (const [name, value] of Object.entries(file)) {
      if (defs.variables.has(name)) variables.set(name, { value, resolved: true });
    }
  }
  return { variables, locals: defs.locals, users: defs.users };
}

const MAX_DEPTH = 32;

/**
 * Evaluates what Keywarden understands: literals, `var.X`, `local.X`, `aws_iam_user.NAME.name`,
 * and templates made of those. Anything else keeps its source text and is marked unresolved.
 */
export function evaluate(raw: unknown, scope: ModuleScope, depth = 0): Evaluated {
  if (raw === UNCONVERTED) throw new NeedsFullParse("a value outside the plain subset is needed");
  if (typeof raw !== "string") return { value: raw, resolved: true };
  const parts = splitTemplate(raw);
  if (parts.length === 1 && parts[0]?.kind === "expr") return resolveExpression(parts[0].text, scope, depth);
  let out = "";
  let resolved = true;
  for (const part of parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const r = resolveExpression(part.text, scope, depth);
    if (r.resolved && isScalar(r.value)) out += String(r.value);
    else {
      resolved = false;
      out += "${" + part.text + "}";
    }
  }
  return { value: out, resolved };
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

const IDENT = "[A-Za-z_][A-Za-z0-9_-]*";
const VAR_RE = new RegExp(`^var\\.(${IDENT})$`);
const LOCAL_RE = new RegExp(`^local\\.(${IDENT})$`);
const USER_RE = new RegExp(`^aws_iam_user\\.(${IDENT})\\.name$`);

function resolveExpression(source: string, scope: ModuleScope, depth: number): Evaluated {
  const expr = source.trim();
  const unresolved: Evaluated = { value: expr, resolved: false };
  if (depth > MAX_DEPTH) return unresolved;
  let m = VAR_RE.exec(expr);
  if (m?.[1] !== undefined) {
    const value = scope.variables.get(m[1]);
    if (value?.value === UNCONVERTED) throw new NeedsFullParse(`var.${m[1]} is outside the plain subset`);
    return value ?? unresolved;
  }
  m = LOCAL_RE.exec(expr);
  if (m?.[1] !== undefined) {
    if (!scope.locals.has(m[1])) return unresolved;
    return evaluate(scope.locals.get(m[1]), scope, depth + 1);
  }
  m = USER_RE.exec(expr);
  if (m?.[1] !== undefined) {
    if (!scope.users.has(m[1])) return unresolved;
    return evaluate(scope.users.get(m[1]), scope, depth + 1);
  }
  const quoted = /^"((?:[^"\\$]|\\.)*)"$/.exec(expr);
  if (quoted?.[1] !== undefined) return { value: quoted[1], resolved: true };
  if (/^-?\d+(\.\d+)?$/.test(expr)) return { value: Number(expr), resolved: true };
  if (expr === "true" || expr === "false") return { value: expr === "true", resolved: true };
  return unresolved;
}

type TemplatePart = { kind: "text"; text: string } | { kind: "expr"; text: string };

/** Splits `a-${var.x}-b` into text and expression parts; `$${` is a literal `${`. */
function splitTemplate(s: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = "";
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("$${", i)) {
      text += "${";
      i += 3;
      continue;
    }
    if (s.startsWith("${", i)) {
      const end = closingBrace(s, i + 2);
      if (end < 0) {
        text += s.slice(i);
        break;
      }
      if (text) parts.push({ kind: "text", text });
      text = "";
      parts.push({ kind: "expr", text: s.slice(i + 2, end).replace(/^~/, "").replace(/~$/, "") });
      i = end + 1;
      continue;
    }
    text += s[i];
    i++;
  }
  if (text || parts.length === 0) parts.push({ kind: "text", text });
  return parts;
}

/** `count = 0` (literal or resolved) means the resource is never created. */
export function isZeroCount(value: Evaluated): boolean {
  if (!value.resolved) return false;
  return value.value === 0 || (typeof value.value === "string" && value.value.trim() === "0");
}
