/**
 * Generated organizations for `npm run bench:org`: a seeded mix of repositories with a little
 * Terraform (most), a few with an AWS root-user access key (the seed example's non-compliant block),
 * some with no Terraform at all, and a few large monorepos. Pure data, no I/O: the bench hands the
 * files to the GitHub stand-in.
 */
import { mulberry32 } from "../prng.js";

export type RepoKind = "terraform" | "root-key" | "no-terraform" | "monorepo";

export interface OrgRepo {
  name: string;
  kind: RepoKind;
  files: Record<string, string>;
  /** Files holding the seed example's root key (2 findings each). */
  rootKeyFiles: string[];
}

export interface OrgSpec {
  repos: number;
  seed: number;
  /** Files in each monorepo (half of them Terraform). */
  monorepoFiles: number;
  /** How many monorepos (default: one per 200 repositories, at least 2). */
  monorepos?: number;
  /** The seed example's non-compliant Terraform (one `Active` root key, two findings). */
  nonCompliant: string;
}

const prng = mulberry32;

const WORDS = ["billing", "ledger", "search", "media", "notify", "portal", "edge", "data", "auth", "queue", "batch", "cdn", "mail", "dns", "audit", "cache"];

function moduleMain(name: string, n: number, withUserKey: boolean): string {
  const lines = [
    `# ${name}: storage and roles of the ${name} service`,
    `resource "aws_s3_bucket" "${name}_${n}" {`,
    `  bucket = "\${var.prefix}-${name}-${n}"`,
    `  tags = {`,
    `    Team    = "${name}"`,
    `    Managed = "terraform"`,
    `  }`,
    `}`,
    ``,
    `resource "aws_iam_role" "${name}_${n}" {`,
    `  name = "${name}-${n}"`,
    `  assume_role_policy = jsonencode({`,
    `    Version = "2012-10-17"`,
    `    Statement = [{ Action = "sts:AssumeRole", Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" } }]`,
    `  })`,
    `}`,
    ``,
  ];
  if (withUserKey) {
    lines.push(
      `resource "aws_iam_user" "deploy_${n}" {`,
      `  name = "deploy-${name}-${n}"`,
      `}`,
      ``,
      `resource "aws_iam_access_key" "deploy_${n}" {`,
      `  user = aws_iam_user.deploy_${n}.name`,
      `}`,
      ``,
    );
  }
  return lines.join("\n");
}

const VARIABLES = `variable "prefix" {\n  type    = string\n  default = "acme"\n}\n\nvariable "region" {\n  type    = string\n  default = "eu-west-1"\n}\n`;
const OUTPUTS = (name: string) => `output "${name}_role" {\n  value = aws_iam_role.${name}_0.arn\n}\n`;
const PROVIDERS = `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n\nprovider "aws" {\n  region = var.region\n}\n`;

function codeFile(i: number): string {
  return Array.from({ length: 30 }, (_, k) => `def handler_${i}_${k}(event, context):\n    return {"status": ${200 + (k % 3)}, "id": "${i}-${k}"}\n`).join("\n");
}

function terraformModule(files: Record<string, string>, dir: string, name: string, rand: () => number): void {
  const n = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < n; k++) files[`${dir}/${k === 0 ? "main" : `extra-${k}`}.tf`] = moduleMain(name, k, rand() < 0.15);
  files[`${dir}/variables.tf`] = VARIABLES;
  files[`${dir}/outputs.tf`] = OUTPUTS(name);
  if (rand() < 0.5) files[`${dir}/providers.tf`] = PROVIDERS;
  if (rand() < 0.3) files[`${dir}/terraform.tfvars`] = `prefix = "${name}"\n`;
}

function otherFiles(files: Record<string, string>, count: number, offset = 0): void {
  for (let i = 0; i < count; i++) files[`app/${Math.floor((i + offset) / 50)}/handler_${i + offset}.py`] = codeFile(i + offset);
}

/** The organization: deterministic for a seed and size. */
export function generateOrg(spec: OrgSpec): OrgRepo[] {
  const rand = prng(spec.seed);
  const monorepos = spec.monorepos ?? Math.max(2, Math.round(spec.repos / 200));
  const rootKeys = Math.max(2, Math.round(spec.repos * 0.04));
  const noTerraform = Math.round(spec.repos * 0.12);
  const repos: OrgRepo[] = [];
  for (let m = 0; m < monorepos; m++) {
    const files: Record<string, string> = { "README.md": `# platform monorepo ${m}\n` };
    const terraform = Math.floor(spec.monorepoFiles / 2);
    let t = 0;
    for (let mod = 0; t < terraform; mod++) {
      const name = WORDS[mod % WORDS.length]!;
      const dir = `infra/${name}/module-${mod}`;
      for (let k = 0; k < 5 && t < terraform; k++, t++) files[`${dir}/${k === 0 ? "main" : `part-${k}`}.tf`] = moduleMain(name, k, rand() < 0.1);
    }
    otherFiles(files, spec.monorepoFiles - 1 - terraform);
    const rootKeyFiles = m === 0 ? ["infra/legacy/bootstrap/keys.tf"] : [];
    for (const f of rootKeyFiles) {
      files[f] = spec.nonCompliant;
      // Keep the file count as asked: one code file fewer.
      delete files[Object.keys(files).find((k) => k.endsWith(".py"))!];
    }
    repos.push({ name: `monorepo-${m}`, kind: "monorepo", files, rootKeyFiles });
  }
  const rest = spec.repos - monorepos;
  for (let i = 0; i < rest; i++) {
    const name = `svc-${String(i).padStart(4, "0")}`;
    // Spread the special kinds over the list (every k-th), the rest ordinary Terraform.
    const kind: RepoKind = i % Math.max(1, Math.floor(rest / rootKeys)) === 3 && repos.filter((r) => r.kind === "root-key").length < rootKeys
      ? "root-key"
      : i % Math.max(1, Math.floor(rest / Math.max(1, noTerraform))) === 5
        ? "no-terraform"
        : "terraform";
    const files: Record<string, string> = { "README.md": `# ${name}\n` };
    otherFiles(files, 2 + Math.floor(rand() * 8));
    const rootKeyFiles: string[] = [];
    if (kind !== "no-terraform") {
      const modules = 1 + Math.floor(rand() * 3);
      for (let m = 0; m < modules; m++) terraformModule(files, m === 0 ? "terraform" : `terraform/modules/${WORDS[(i + m) % WORDS.length]}`, WORDS[(i + m) % WORDS.length]!, rand);
    }
    if (kind === "root-key") {
      files["terraform/iam/keys.tf"] = spec.nonCompliant;
      rootKeyFiles.push("terraform/iam/keys.tf");
    }
    repos.push({ name, kind, files, rootKeyFiles });
  }
  return repos;
}
