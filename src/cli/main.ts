#!/usr/bin/env node
/**
 * `keywarden`: a small dispatcher. Each subcommand lives in its own module exporting
 * `run(argv): Promise<number>` (the exit code) and is imported only when used, so `keywarden scan`
 * never loads Probot, BullMQ or Redis clients.
 */
import { realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { processIo, writeTo, type CliIo } from "./io.js";
import { packageVersion } from "./version.js";

export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

/** The subcommands. Add one by adding a line here and a module that exports `run`. */
export const COMMANDS: Record<string, CommandEntry> = {
  scan: { summary: "scan a directory of Terraform and report findings", load: () => import("./scan-command.js") },
  serve: { summary: "run the GitHub App (webhooks, workers, schedules)", load: () => import("./serve-command.js") },
  audit: { summary: "queue an audit of every repository now", load: () => import("./audit-command.js") },
  summary: { summary: "queue the weekly compliance summaries now", load: () => import("./summary-command.js") },
  status: { summary: "show queues, running jobs and the last audit per installation (from Redis)", load: () => import("./status-command.js") },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: keywarden <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     show this help (keywarden <command> --help for a command's options)",
    "  -v, --version  print the version",
    "",
  ].join("\n");
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first !== undefined && !first.startsWith("-")) {
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (!command) {
      await writeTo(io.stderr, `keywarden: unknown command '${first.replace(/[^\x20-\x7e]/g, "?")}' (see keywarden --help)\n`);
      return 2;
    }
    return (await command.load()).run(rest);
  }

  let values: { help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const flag = /'([^']*)'/.exec((error as Error).message)?.[1] ?? "?";
    await writeTo(io.stderr, `keywarden: unknown option '${flag.replace(/[^\x20-\x7e]/g, "?")}' (see keywarden --help)\n`);
    return 2;
  }
  if (values.version) {
    await writeTo(io.stdout, `${packageVersion()}\n`);
    return 0;
  }
  if (values.help) {
    await writeTo(io.stdout, usage());
    return 0;
  }
  await writeTo(io.stderr, usage());
  return 2;
}

/** True when this file is the program being run (directly, or through npm's bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A reader that goes away (`| head`) closes the pipe; that must not become a crash.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`keywarden: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
