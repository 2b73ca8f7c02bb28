/**
 * A deterministic, realistic Terraform corpus for the benchmark: many module directories (shared
 * modules and per-environment stacks), each with main/variables/outputs/locals files full of ordinary
 * AWS resources, heredoc and jsonencode policies, comments, `terraform.tfvars`, and a few `.tf.json`
 * files. About 1% of the files declare `aws_iam_access_key`; some of those belong to the root user,
 * directly or through a variable, a local or an `aws_iam_user` reference, so the scanner's slow path
 * (parse + evaluate) is exercised in proportion.
 *
 * Files are written one at a time as they are generated, so generating a large corpus needs no more
 * memory than a small one.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mulberry32 } from "./prng.js";

export interface CorpusSpec {
  /** Number of Terraform files (`.tf`, `.tf.json`, `.tfvars`) to write. */
  files: number;
  seed: number;
}

export interface CorpusManifest extends CorpusSpec {
  version: number;
  bytes: number;
  modules: number;
  accessKeyFiles: number;
  rootKeyFiles: number;
}

const GENERATOR_VERSION = 4;

const prng = mulberry32;

class Random {
  constructor(private readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  word(): string {
    return this.pick(WORDS);
  }
  name(): string {
    return `${this.word()}_${this.word()}`;
  }
}

const WORDS = [
  "app", "api", "billing", "cache", "core", "data", "edge", "events", "gateway", "ingest", "jobs", "logs",
  "metrics", "orders", "payments", "queue", "reports", "search", "static", "users", "web", "worker", "audit",
  "backup", "batch", "cdn", "config", "dns", "export", "import", "ledger", "mail", "media", "notify", "portal",
] as const;
const ENVS = ["dev", "staging", "prod", "sandbox", "qa"] as const;
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"] as const;

function header(r: Random, what: string): string {
  return r.chance(0.6)
    ? `# ${what}\n# Managed by the platform team. Changes go through review; see CONTRIBUTING.md.\n\n`
    : "";
}

function tags(r: Random, indent: string): string {
  return (
    `${indent}tags = merge(local.common_tags, {\n` +
    `${indent}  Name      = "${r.name()}"\n` +
    `${indent}  Component = "${r.word()}"\n` +
    `${indent}})\n`
  );
}

function bucket(r: Random): string {
  const n = r.name();
  return (
    `resource "aws_s3_bucket" "${n}" {\n  bucket = "\${var.project}-${n.replace(/_/g, "-")}-\${var.environment}"\n${tags(r, "  ")}}\n\n` +
    `resource "aws_s3_bucket_versioning" "${n}" {\n  bucket = aws_s3_bucket.${n}.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n\n` +
    `resource "aws_s3_bucket_server_side_encryption_configuration" "${n}" {\n  bucket = aws_s3_bucket.${n}.id\n\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = "aws:kms"\n      kms_master_key_id = var.kms_key_arn\n    }\n  }\n}\n\n`
  );
}

function heredocPolicy(r: Random): string {
  const n = r.name();
  return (
    `resource "aws_iam_policy" "${n}" {\n  name        = "${n}"\n  description = "Access for ${r.word()} (status: Active)"\n  policy      = <<-EOT\n    {\n      "Version": "2012-10-17",\n      "Statement": [\n        {\n          "Effect": "Allow",\n          "Action": ["s3:GetObject", "s3:PutObject"],\n          "Resource": "arn:aws:s3:::\${var.project}-${r.word()}/*"\n        },\n        {\n          "Effect": "Deny",\n          "Action": "iam:CreateAccessKey",\n          "Resource": "*"\n        }\n      ]\n    }\n  EOT\n}\n\n`
  );
}

function jsonencodePolicy(r: Random): string {
  const n = r.name();
  return (
    `data "aws_iam_policy_document" "${n}_assume" {\n  statement {\n    actions = ["sts:AssumeRole"]\n    principals {\n      type        = "Service"\n      identifiers = ["${r.pick(["lambda", "ecs-tasks", "ec2"])}.amazonaws.com"]\n    }\n  }\n}\n\n` +
    `resource "aws_iam_role" "${n}" {\n  name               = "\${local.name_prefix}-${n}"\n  assume_role_policy = data.aws_iam_policy_document.${n}_assume.json\n${tags(r, "  ")}}\n\n` +
    `resource "aws_iam_role_policy" "${n}" {\n  role = aws_iam_role.${n}.id\n  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n      Effect   = "Allow"\n      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]\n      Resource = "*"\n    }]\n  })\n}\n\n`
  );
}

function compute(r: Random): string {
  const n = r.name();
  return (
    `resource "aws_security_group" "${n}" {\n  name_prefix = "${n}-"\n  vpc_id      = var.vpc_id\n\n  ingress {\n    from_port   = ${r.pick([80, 443, 5432, 6379])}\n    to_port     = ${r.pick([80, 443, 5432, 6379])}\n    protocol    = "tcp"\n    cidr_blocks = [var.vpc_cidr]\n  }\n\n  egress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n\n` +
    `resource "aws_lambda_function" "${n}" {\n  function_name = "\${local.name_prefix}-${n}"\n  role          = aws_iam_role.${n}.arn\n  handler       = "index.handler"\n  runtime       = "${r.pick(["nodejs20.x", "python3.12", "java21"])}"\n  memory_size   = ${r.pick([128, 256, 512, 1024])}\n  timeout       = ${r.int(3, 60)}\n  count         = var.enable_${r.word()} ? 1 : 0\n\n  environment {\n    variables = {\n      TABLE  = aws_dynamodb_table.${r.name()}.name\n      STAGE  = var.environment\n      REGION = "${r.pick(REGIONS)}"\n    }\n  }\n${tags(r, "  ")}}\n\n`
  );
}

function database(r: Random): string {
  const n = r.name();
  return (
    `resource "aws_dynamodb_table" "${n}" {\n  name         = "${n}"\n  billing_mode = "PAY_PER_REQUEST"\n  hash_key     = "pk"\n  range_key    = "sk"\n\n  attribute {\n    name = "pk"\n    type = "S"\n  }\n\n  attribute {\n    name = "sk"\n    type = "S"\n  }\n\n  point_in_time_recovery {\n    enabled = true\n  }\n${tags(r, "  ")}}\n\n` +
    `/* Alarms for ${n}.\n   Thresholds come from the SLO document. */\nresource "aws_cloudwatch_metric_alarm" "${n}_throttles" {\n  alarm_name          = "${n}-throttles"\n  comparison_operator = "GreaterThanThreshold"\n  evaluation_periods  = ${r.int(1, 5)}\n  metric_name         = "ThrottledRequests"\n  namespace           = "AWS/DynamoDB"\n  period              = 300\n  statistic           = "Sum"\n  threshold           = ${r.int(1, 100)}\n  dimensions = {\n    TableName = aws_dynamodb_table.${n}.name\n  }\n}\n\n`
  );
}

function mainFile(r: Random, targetBytes: number): string {
  let out = header(r, "Resources of this stack.");
  const makers = [bucket, heredocPolicy, jsonencodePolicy, compute, database];
  while (out.length < targetBytes) out += r.pick(makers)(r);
  return out;
}

function variablesFile(r: Random): string {
  let out = header(r, "Inputs.");
  out += `variable "project" {\n  type        = string\n  description = "Project name, used as a prefix."\n  default     = "${r.word()}"\n}\n\n`;
  out += `variable "environment" {\n  type = string\n  validation {\n    condition     = contains(["dev", "staging", "prod"], var.environment)\n    error_message = "Unknown environment."\n  }\n}\n\n`;
  for (let i = r.int(4, 12); i > 0; i--) {
    const t = r.pick(["string", "number", "bool", "list(string)", "map(string)"]);
    const def =
      t === "string" ? `"${r.word()}"` : t === "number" ? String(r.int(1, 500)) : t === "bool" ? r.pick(["true", "false"]) : t === "list(string)" ? `["${r.word()}", "${r.word()}"]` : `{ owner = "${r.word()}" }`;
    out += `variable "${r.name()}" {\n  type        = ${t}\n  description = "The ${r.word()} setting."\n  default     = ${def}\n}\n\n`;
  }
  return out;
}

function outputsFile(r: Random): string {
  let out = "";
  for (let i = r.int(2, 8); i > 0; i--) {
    const n = r.name();
    out += `output "${n}_arn" {\n  description = "ARN of ${n}."\n  value       = aws_iam_role.${n}.arn\n}\n\n`;
  }
  return out;
}

function localsFile(r: Random, env: string): string {
  return (
    header(r, "Derived values.") +
    `locals {\n  name_prefix = "\${var.project}-${env}"\n  common_tags = {\n    Project     = var.project\n    Environment = "${env}"\n    ManagedBy   = "terraform"\n    CostCenter  = "${r.int(1000, 9999)}"\n  }\n  azs = slice(data.aws_availability_zones.available.names, 0, ${r.int(2, 3)})\n}\n\n` +
    `data "aws_availability_zones" "available" {\n  state = "available"\n}\n`
  );
}

function providersFile(r: Random): string {
  return `terraform {\n  required_version = ">= 1.5"\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.${r.int(0, 60)}"\n    }\n  }\n  backend "s3" {\n    bucket = "tfstate-${r.word()}"\n    key    = "${r.word()}/terraform.tfstate"\n    region = "${r.pick(REGIONS)}"\n  }\n}\n\nprovider "aws" {\n  region = var.region\n  default_tags {\n    tags = local.common_tags\n  }\n}\n\nvariable "region" {\n  type    = string\n  default = "${r.pick(REGIONS)}"\n}\n`;
}

function tfvarsFile(r: Random, env: string): string {
  return `# ${env} settings\nenvironment = "${env}"\nproject     = "${r.word()}"\nregion      = "${r.pick(REGIONS)}"\nenable_${r.word()} = ${r.pick(["true", "false"])}\n`;
}

function tfJsonFile(r: Random): string {
  const n = r.name();
  return (
    JSON.stringify(
      {
        resource: {
          aws_sns_topic: { [n]: { name: `${n}-topic`, kms_master_key_id: "alias/aws/sns" } },
          aws_sqs_queue: { [`${n}_dlq`]: { name: `${n}-dlq`, message_retention_seconds: 1209600 } },
        },
      },
      null,
      2,
    ) + "\n"
  );
}

/** A file with an access key: 4 in 10 belong to root, through the different evaluation paths. */
function accessKeyFile(r: Random): { text: string; root: boolean } {
  const n = r.name();
  const kind = r.int(0, 9);
  const user = `resource "aws_iam_user" "${n}" {\n  name = "${n.replace(/_/g, "-")}"\n  path = "/system/"\n}\n\n`;
  switch (kind) {
    case 0:
      return { root: true, text: `${user}resource "aws_iam_access_key" "${n}" {\n  user = "root"\n}\n` };
    case 1:
      return {
        root: true,
        text: `variable "${n}_user" {\n  default = "root"\n}\n\nresource "aws_iam_access_key" "${n}" {\n  user   = var.${n}_user\n  status = "Active"\n}\n`,
      };
    case 2:
      return {
        root: true,
        text: `resource "aws_iam_user" "${n}_root" {\n  name = "root"\n}\n\nresource "aws_iam_access_key" "${n}" {\n  user    = aws_iam_user.${n}_root.name\n  pgp_key = "keybase:${r.word()}"\n}\n`,
      };
    case 3:
      return {
        root: true,
        text: `locals {\n  ${n}_owner = "root"\n}\n\nresource "aws_iam_access_key" "${n}" {\n  user   = local.${n}_owner\n  status = "active"\n}\n`,
      };
    case 4:
      return {
        root: false,
        text: `resource "aws_iam_access_key" "${n}" {\n  user   = "root"\n  status = "Inactive"\n}\n`,
      };
    default:
      return {
        root: false,
        text: `${user}resource "aws_iam_access_key" "${n}" {\n  user    = aws_iam_user.${n}.name\n  pgp_key = "keybase:${r.word()}"\n}\n\noutput "${n}_key_id" {\n  value = aws_iam_access_key.${n}.id\n}\n`,
      };
  }
}

/**
 * Writes the corpus under `dir` (replacing anything there) unless a manifest says the same spec was
 * generated already, in which case it is reused.
 */
export async function ensureCorpus(dir: string, spec: CorpusSpec): Promise<CorpusManifest> {
  const manifestPath = join(dir, "corpus.manifest.json");
  try {
    const existing = JSON.parse(await readFile(manifestPath, "utf8")) as CorpusManifest;
    if (existing.version === GENERATOR_VERSION && existing.files === spec.files && existing.seed === spec.seed) {
      return existing;
    }
  } catch {
    // No manifest: generate.
  }
  await rm(dir, { recursive: true, force: true });
  const r = new Random(prng(spec.seed));
  let written = 0;
  let bytes = 0;
  let modules = 0;
  let accessKeyFiles = 0;
  let rootKeyFiles = 0;
  // One access-key file per 100 files on average, at deterministic random positions.
  const write = async (path: string, text: string): Promise<void> => {
    await writeFile(path, text);
    written++;
    bytes += Buffer.byteLength(text);
  };

  let m = 0;
  while (written < spec.files) {
    const env = r.pick(ENVS);
    const team = r.word();
    const dirPath =
      m % 3 === 0
        ? join(dir, "modules", `${team}-${r.word()}-${m}`)
        : join(dir, "live", env, r.pick(REGIONS), `${team}-${m}`);
    await mkdir(dirPath, { recursive: true });
    modules++;
    m++;
    const inModule = [
      () => write(join(dirPath, "main.tf"), mainFile(r, r.int(2_000, 9_000))),
      () => write(join(dirPath, "variables.tf"), variablesFile(r)),
      () => write(join(dirPath, "outputs.tf"), outputsFile(r)),
      () => write(join(dirPath, "locals.tf"), localsFile(r, env)),
      () => write(join(dirPath, "providers.tf"), providersFile(r)),
      () => write(join(dirPath, `${r.word()}.tf`), mainFile(r, r.int(1_000, 5_000))),
      () => write(join(dirPath, "terraform.tfvars"), tfvarsFile(r, env)),
      () => write(join(dirPath, `${r.word()}-queues.tf.json`), tfJsonFile(r)),
    ];
    const count = r.int(3, inModule.length);
    for (let i = 0; i < count && written < spec.files; i++) {
      if (r.chance(0.01)) {
        const key = accessKeyFile(r);
        await write(join(dirPath, `iam-keys-${i}.tf`), key.text);
        accessKeyFiles++;
        if (key.root) rootKeyFiles++;
        if (written >= spec.files) break;
      }
      await inModule[i]!();
    }
  }

  const manifest: CorpusManifest = { ...spec, version: GENERATOR_VERSION, bytes, modules, accessKeyFiles, rootKeyFiles };
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}
