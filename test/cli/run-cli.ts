/**
 * Runs the built `keywarden` command (package.json's `bin`, built by `npm test` before vitest) as a
 * child process, the way a user or CI runs it.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
};
export const PACKAGE_VERSION = pkg.version;
export const CLI = join(REPO_ROOT, pkg.bin["keywarden"] ?? "missing-bin");

export function assertBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} does not exist: build first (npx tsc -p tsconfig.json), and check package.json "bin"`);
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment without colour overrides, so tests see exactly what a pipe gets. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ["NO_COLOR", "FORCE_COLOR", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_SERVER_URL"]) delete env[key];
  return { ...env, ...extra };
}

export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: cleanEnv(options.env), encoding: "utf8", maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : undefined) : 0;
        if (code === undefined) return reject(error);
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** Runs the command under a pseudo-terminal (util-linux `script`), so stdout is a TTY. */
export function runCliInTty(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return new Promise((resolvePromise, reject) => {
    execFile(
      "script",
      ["-qefc", quoted, "/dev/null"],
      { cwd: REPO_ROOT, env: cleanEnv(env), encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : undefined) : 0;
        if (code === undefined) return reject(error);
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

// The seed pages' examples, as files.
export const ROOT_NON_COMPLIANT = `#this is a problematic code where the query should report a result(s)
resource "aws_iam_access_key" "positive1" {
  user    = "root"
  pgp_key = "keybase:some_person_that_exists"
}
`;

export const COMPLIANT = `#this code is a correct code for which the query should not find any result
resource "aws_iam_access_key" "negative1" {
  user    = aws_iam_user.lb.name
  pgp_key = "keybase:some_person_that_exists"
}

resource "aws_iam_user" "lb" {
  name = "loadbalancer"
  path = "/system/"
}

resource "aws_iam_access_key" "negative3" {
  user   = "root"
  status = "Inactive"
}
`;

/** Only the HIGH rule fires: the user contains "root" but is not "root". */
export const HIGH_ONLY = `resource "aws_iam_access_key" "ops" {
  user = "rootops"
}
`;

/** Both rules would fire; the HIGH one is suppressed by a comment trailing the header (whole block). */
export const MEDIUM_ONLY = `resource "aws_iam_access_key" "legacy" { # keywarden:ignore terraform-aws-root-account-has-active-access-keys tracked in SEC-1
  user   = "root"
  status = "Active"
}
`;

export const ROOT_RULE = "terraform-aws-root-account-has-active-access-keys";
export const EXPOSED_RULE = "terraform-aws-iam-access-key-is-exposed";
