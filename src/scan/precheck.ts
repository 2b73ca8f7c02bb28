/**
 * Cheap checks on raw bytes, so that files and module directories that cannot produce a finding
 * are never parsed. They may say "maybe" too often (a mention in an output), never too rarely.
 */
const ACCESS_KEY = Buffer.from("aws_iam_access_key");
/** Terraform JSON strings may spell names with \u escapes; such files are always parsed. */
const JSON_ESCAPE = Buffer.from("\\u");

export function mayDeclareAccessKey(bytes: Buffer, json: boolean): boolean {
  return mayMentionAccessKey(bytes) || (json && bytes.includes(JSON_ESCAPE));
}

/** The type's name appears in `bytes` (a file, or a directory's files one after the other). */
export function mayMentionAccessKey(bytes: Buffer): boolean {
  return bytes.includes(ACCESS_KEY);
}

/** Whether a non-key file of a candidate module may define something a key's values refer to. */
export function mayDefineReferencedValues(text: string): boolean {
  return text.includes("variable") || text.includes("locals") || text.includes("aws_iam_user") || text.includes("\\u");
}
