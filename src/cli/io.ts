/**
 * Where a command writes. Commands take this instead of touching `process` so that the same code
 * serves the real terminal and tests; writes resolve once the data is handed to the OS, so an exit
 * right after them loses nothing.
 */
import type { Writable } from "node:stream";

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Write and wait. A closed pipe (`keywarden scan . | head`) is not an error worth a stack trace. */
export function writeTo(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (text === "") return resolve();
    stream.write(text, (error) => {
      // EPIPE and friends: the reader went away; there is nobody left to tell.
      void error;
      resolve();
    });
  });
}
