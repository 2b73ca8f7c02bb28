/**
 * Parsing `keywarden scan` arguments, apart from any I/O so every usage error can be tested as a
 * value. A usage error is one line naming the flag or value at fault (the CLI contract: exit 2).
 */
import { parseArgs } from "node:util";
import type { ReportFormat } from "../report/format-report.js";
import { escapeForTerminal } from "../report/terminal-text.js";

export const FORMATS = ["text", "json", "sarif", "markdown"] as const satisfies readonly ReportFormat[];
export type Format = (typeof FORMATS)[number];

export const FAIL_ON = ["high", "medium", "none"] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface ScanArgs {
  path: string;
  format: Format;
  failOn: FailOn;
  output?: string;
}

export type ParsedScanArgs =
  | { kind: "scan"; args: ScanArgs }
  | { kind: "help" }
  | { kind: "usage-error"; message: string };

export const SCAN_USAGE = `Usage: keywarden scan <path> [--format text|json|sarif|markdown] [--fail-on high|medium|none] [--output FILE]

Scan a directory of Terraform for AWS root-user access keys.

Options:
  --format FORMAT    text (default, for people), json, sarif (SARIF 2.1.0 for code scanning),
                     markdown (the issue bodies Keywarden would file)
  --fail-on LEVEL    exit 1 when a finding is at or above LEVEL: high, medium (default), none
  --output FILE      write the report to FILE instead of standard output
  -h, --help         show this help

Exit status: 0 no finding at or above --fail-on, 1 at least one, 2 usage error or unreadable path.
Files that fail to parse are listed and do not change the exit status.`;

function quote(value: string): string {
  return `'${escapeForTerminal(value)}'`;
}

/** The flag's value if it is one of `allowed` (`fallback` when the flag is absent), else the usage error. */
function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): { value: T } | { error: string } {
  if (value === undefined) return { value: fallback };
  if ((allowed as readonly string[]).includes(value)) return { value: value as T };
  return { error: `${flag} must be one of ${allowed.join(", ")} (got ${quote(value)})` };
}

/** Turns node's parseArgs errors (long, multi-sentence) into one line naming the flag. */
function describeParseError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const flag = /'([^']*)'/.exec(e.message ?? "")?.[1];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quote(flag ?? "?")}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /--[A-Za-z][\w-]*/.exec(flag ?? "")?.[0] ?? flag ?? "?";
      return /does not take an argument/.test(e.message ?? "")
        ? `option ${quote(name)} takes no value`
        : `option ${quote(name)} needs a value`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quote(flag ?? "?")}`;
    default:
      return escapeForTerminal(String(e.message ?? error).split("\n")[0] ?? "invalid arguments");
  }
}

export function parseScanArgs(argv: readonly string[]): ParsedScanArgs {
  let values: { format?: string; "fail-on"?: string; output?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        format: { type: "string" },
        "fail-on": { type: "string" },
        output: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    return { kind: "usage-error", message: describeParseError(error) };
  }
  if (values.help) return { kind: "help" };

  const format = oneOf("--format", values.format, FORMATS, "text");
  if ("error" in format) return { kind: "usage-error", message: format.error };
  const failOn = oneOf("--fail-on", values["fail-on"], FAIL_ON, "medium");
  if ("error" in failOn) return { kind: "usage-error", message: failOn.error };
  if (values.output === "") return { kind: "usage-error", message: "--output needs a file name" };

  if (positionals.length === 0) return { kind: "usage-error", message: "missing <path> (the directory to scan)" };
  if (positionals.length > 1) {
    return { kind: "usage-error", message: `expected one <path>, got ${positionals.length}: ${positionals.map(quote).join(" ")}` };
  }
  const path = positionals[0]!;
  if (path === "") return { kind: "usage-error", message: "<path> is empty" };

  const args: ScanArgs = { path, format: format.value, failOn: failOn.value };
  if (values.output !== undefined) args.output = values.output;
  return { kind: "scan", args };
}
