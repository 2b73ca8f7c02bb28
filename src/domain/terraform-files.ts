/**
 * The one definition of which files Keywarden reads, used by the push filter (does a push need a
 * scan?), the clone (which blobs to fetch and check out) and the scanner (which files to read), so
 * that the three can never disagree about a file again.
 *
 * The rule is Terraform's own: Terraform loads a file as configuration only when its name ends in
 * `.tf` or `.tf.json` (variables: `.tfvars`, `.tfvars.json`), compared case-sensitively on every
 * platform (`MAIN.TF` is not configuration, even on a case-insensitive file system). Matching
 * case-insensitively would make Keywarden report files Terraform never applies, and would need the
 * clone's sparse patterns and the scanner to bend the same way; case-sensitive is both what
 * Terraform does and what git's sparse checkout does by itself.
 *
 * Two deliberate differences from Terraform, both kept from before: every directory is a module
 * (Terraform loads one directory at a time), and names starting with `.` are read (Terraform skips
 * them as hidden files). Directories named `.git` or `.terraform` (provider and module caches) are
 * never entered.
 */
export type TerraformFileKind = "tf" | "tf.json" | "tfvars" | "tfvars.json";

/** The name endings Terraform loads, case-sensitive. */
export const TERRAFORM_SUFFIXES = [".tf", ".tf.json", ".tfvars", ".tfvars.json"] as const;

/** Directories whose contents are never Terraform Keywarden reads, wherever they are. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([".git", ".terraform"]);

/**
 * Keywarden's configuration in a repository: the path Probot's `context.config("keywarden.yml")`
 * reads. Only `.yml`: `.github/keywarden.yaml` is never read, so a push touching it changes nothing.
 */
export const CONFIG_PATH = ".github/keywarden.yml";

export function terraformFileKind(name: string): TerraformFileKind | undefined {
  if (name.endsWith(".tf.json")) return "tf.json";
  if (name.endsWith(".tfvars.json")) return "tfvars.json";
  if (name.endsWith(".tf")) return "tf";
  if (name.endsWith(".tfvars")) return "tfvars";
  return undefined;
}

/** Is the repository path `path` (POSIX, relative to the root) a Terraform file Keywarden reads? */
export function isTerraformPath(path: string): boolean {
  const segments = path.split("/");
  const name = segments.pop() ?? "";
  return terraformFileKind(name) !== undefined && !segments.some((s) => SKIPPED_DIRECTORIES.has(s));
}

/**
 * `git sparse-checkout set --no-cone` patterns (gitignore syntax, last match wins) selecting exactly
 * the paths `isTerraformPath` accepts. `*.tf` alone would also match a directory named `x.tf` and
 * so check out everything under it; `!*.tf/` (directories only) undoes that, while files inside
 * that are Terraform still match `*.tf` on their own. `.git` cannot occur in a git tree.
 */
export const SPARSE_CHECKOUT_PATTERNS: readonly string[] = Object.freeze([
  ...TERRAFORM_SUFFIXES.flatMap((suffix) => [`*${suffix}`, `!*${suffix}/`]),
  ...[...SKIPPED_DIRECTORIES].filter((d) => d !== ".git").map((d) => `!**/${d}/**`),
]);

/**
 * Variable files Terraform loads by itself, in the order it applies them: `terraform.tfvars`,
 * `terraform.tfvars.json`, then `*.auto.tfvars` / `*.auto.tfvars.json` in lexical order of name.
 * Other `*.tfvars` are only used with `-var-file`, so they do not change values here.
 * Returns a sort key, or undefined when the file is not auto-loaded.
 */
export function autoloadOrder(name: string): string | undefined {
  if (name === "terraform.tfvars") return "0";
  if (name === "terraform.tfvars.json") return "1";
  if (name.endsWith(".auto.tfvars") || name.endsWith(".auto.tfvars.json")) return `2${name}`;
  return undefined;
}
