/**
 * `keywarden scan <path>`: scan a directory, print a report, exit 0/1/2 per the CLI contract in
 * design.md. Everything that decides something (arguments, exit status, report text) is pure and
 * lives elsewhere; this module only does the I/O around it.
 */
import { opendir, stat, writeFile } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { formatReport } from "../report/format-report.js";
import { escapeForTerminal, wantsColor } from "../report/terminal-text.js";
import { listRuleMeta } from "../report/rule-meta.js";
import { getRuleMeta } from "../rules/index.js";
import type { IssueTarget } from "../issues/render-issue.js";
import type { ScanResult } from "../domain/types.js";
import { scan } from "../scan/index.js";
import { processIo, writeTo, type CliIo } from "./io.js";
import { exitCodeFor } from "./exit-code.js";
import { parseScanArgs, SCAN_USAGE, type ScanArgs } from "./scan-args.js";
import { packageVersion } from "./version.js";

const PREFIX = "keywarden scan:";

function quote(value: string): string {
  return `'${escapeForTerminal(value)}'`;
}

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a component of the path is not a directory";
    case "ELOOP":
      return "too many symbolic links";
    default:
      return escapeForTerminal((e?.message ?? String(error)).split("\n")[0] ?? "unknown error");
  }
}

/** The root must be a directory we can list; otherwise one line naming it and why. */
async function checkRoot(absPath: string, shownAs: string): Promise<string | undefined> {
  try {
    const info = await stat(absPath);
    if (!info.isDirectory()) return `${quote(shownAs)} is not a directory`;
    const dir = await opendir(absPath);
    await dir.close();
    return undefined;
  } catch (error) {
    return `cannot read ${quote(shownAs)}: ${reasonOf(error)}`;
  }
}

/**
 * GitHub code scanning resolves SARIF URIs against the repository root. When the scanned directory
 * lies inside the working directory (the usual CI step, `keywarden scan infra --format sarif`),
 * paths are made relative to the working directory; otherwise to the scanned root.
 */
function sarifBase(root: string, cwd: string): { uriPrefix: string; baseUri: string } {
  const absRoot = resolve(cwd, root);
  const rel = relative(cwd, absRoot);
  const inside = rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  const base = inside ? cwd : absRoot;
  const baseUri = pathToFileURL(base).href.replace(/\/?$/, "/");
  return { uriPrefix: inside ? rel.split(sep).join("/") : "", baseUri };
}

/** Where markdown permalinks point: GitHub Actions' variables when present, else github.com. */
function issueTargetFromEnv(env: NodeJS.ProcessEnv): IssueTarget {
  const target: IssueTarget = { serverUrl: env["GITHUB_SERVER_URL"] || "https://github.com" };
  const [owner, repo, ...extra] = (env["GITHUB_REPOSITORY"] ?? "").split("/");
  if (owner && repo && extra.length === 0) {
    target.owner = owner;
    target.repo = repo;
  }
  if (env["GITHUB_SHA"] && /^[0-9a-f]{40}$/i.test(env["GITHUB_SHA"])) target.commitSha = env["GITHUB_SHA"];
  return target;
}

function render(result: ScanResult, args: ScanArgs, io: CliIo): string {
  const toTerminal = args.output === undefined;
  return formatReport(args.format, result, {
    text: {
      color: toTerminal && wantsColor(io.stdout, io.env),
      root: args.path,
      docsUrl: (ruleId) => getRuleMeta(ruleId)?.docsUrl,
    },
    sarif: { rules: listRuleMeta(), toolVersion: packageVersion(), ...sarifBase(args.path, io.cwd) },
    markdown: { target: issueTargetFromEnv(io.env) },
  });
}

export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseScanArgs(argv);
  if (parsed.kind === "help") {
    await writeTo(io.stdout, SCAN_USAGE + "\n");
    return 0;
  }
  if (parsed.kind === "usage-error") {
    await writeTo(io.stderr, `${PREFIX} ${parsed.message} (see keywarden scan --help)\n`);
    return 2;
  }
  const args = parsed.args;

  const root = resolve(io.cwd, args.path);
  const rootProblem = await checkRoot(root, args.path);
  if (rootProblem) {
    await writeTo(io.stderr, `${PREFIX} ${rootProblem}\n`);
    return 2;
  }

  let result: ScanResult;
  try {
    result = await scan(root);
  } catch (error) {
    await writeTo(io.stderr, `${PREFIX} cannot scan ${quote(args.path)}: ${reasonOf(error)}\n`);
    return 2;
  }

  const report = render(result, args, io);
  if (args.output !== undefined) {
    try {
      await writeFile(resolve(io.cwd, args.output), report, "utf8");
    } catch (error) {
      await writeTo(io.stderr, `${PREFIX} cannot write ${quote(args.output)}: ${reasonOf(error)}\n`);
      return 2;
    }
  } else {
    await writeTo(io.stdout, report);
  }
  return exitCodeFor(result, args.failOn);
}
