/** Which Terraform files Keywarden reads, and what each kind is for. */
export type TerraformFileKind = "tf" | "tf.json" | "tfvars" | "tfvars.json";

export function terraformFileKind(name: string): TerraformFileKind | undefined {
  if (name.endsWith(".tf.json")) return "tf.json";
  if (name.endsWith(".tfvars.json")) return "tfvars.json";
  if (name.endsWith(".tf")) return "tf";
  if (name.endsWith(".tfvars")) return "tfvars";
  return undefined;
}

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
