import type { HclLayout } from "./hcl-layout.js";
import { asBodies } from "./raw-module.js";

/**
 * Names a module's keys refer to, and names its parsed files define. The scanner uses them to
 * parse, of a module's other files, only those that may define something a key actually needs.
 */
export interface NameSet {
  vars: Set<string>;
  locals: Set<string>;
  users: Set<string>;
}

export function emptyNames(): NameSet {
  return { vars: new Set(), locals: new Set(), users: new Set() };
}

const REFERENCE_RE = /\b(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)|\baws_iam_user\.([A-Za-z_][A-Za-z0-9_-]*)\.name\b/g;

/** Adds every `var.X`, `local.X` and `aws_iam_user.X.name` mentioned in `text` (over-approximate). */
export function addReferences(text: string, into: NameSet): void {
  for (const m of text.matchAll(REFERENCE_RE)) {
    if (m[1] === "var" && m[2]) into.vars.add(m[2]);
    else if (m[1] === "local" && m[2]) into.locals.add(m[2]);
    else if (m[3]) into.users.add(m[3]);
  }
}

/** Names defined by a file's blocks; the references inside those definitions go to `refs`. */
export function addLayoutDefinitions(layout: HclLayout, defined: NameSet, refs: NameSet): void {
  for (const b of layout.topBlocks) {
    if (b.type === "variable" && b.labels[0] !== undefined) defined.vars.add(b.labels[0]);
    else if (b.type === "locals") for (const name of b.attributes.keys()) defined.locals.add(name);
    else if (b.type === "resource" && b.labels[0] === "aws_iam_user" && b.labels[1] !== undefined) defined.users.add(b.labels[1]);
    else continue;
    addReferences(b.text, refs);
  }
}

/** The same for a document in hcl2json / Terraform JSON form. */
export function addDocDefinitions(doc: Record<string, unknown>, defined: NameSet, refs: NameSet): void {
  for (const body of asBodies(doc["variable"])) for (const name of Object.keys(body)) defined.vars.add(name);
  for (const body of asBodies(doc["locals"])) {
    for (const [name, value] of Object.entries(body)) {
      defined.locals.add(name);
      addReferences(JSON.stringify(value) ?? "", refs);
    }
  }
  for (const resources of asBodies(doc["resource"])) {
    for (const body of asBodies(resources["aws_iam_user"])) {
      for (const [name, decl] of Object.entries(body)) {
        defined.users.add(name);
        addReferences(JSON.stringify(decl) ?? "", refs);
      }
    }
  }
}

/** Referenced names no parsed file defines yet. */
export function missingNames(refs: NameSet, defined: NameSet): string[] {
  const missing: string[] = [];
  for (const kind of ["vars", "locals", "users"] as const) {
    for (const name of refs[kind]) if (!defined[kind].has(name)) missing.push(name);
  }
  return missing;
}
