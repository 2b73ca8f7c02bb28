/**
 * The built `keywarden` command as a child process: `node dist/src/cli/main.js ARGS` with exactly the
 * environment a test gives it (nothing inherited but PATH), in an empty working directory (no
 * developer's `.env` is read). Every byte of stdout and stderr is kept for the leak check, stdout is
 * split into lines and parsed as JSON, and tests await a line instead of sleeping.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { StringDecoder } from "node:string_decoder";
import { fileURLToPath } from "node:url";

export const MAIN = fileURLToPath(new URL("../../../dist/src/cli/main.js", import.meta.url));

/** A parsed stdout line (Probot's and Keywarden's pino fields). */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number; time?: number };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Keywarden {
  readonly stdout: Buffer[] = [];
  readonly stderr: Buffer[] = [];
  /** stdout lines that parsed as one JSON object each. */
  readonly lines: LogLine[] = [];
  /** stdout lines that did not. */
  readonly notJson: string[] = [];
  readonly events = new EventEmitter();
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  private readonly child: ChildProcess;
  private partial = "";
  private readonly decoder = new StringDecoder("utf8");

  constructor(
    readonly args: string[],
    env: Record<string, string>,
    cwd: string,
  ) {
    this.child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, cwd, stdio: ["ignore", "pipe", "pipe"] });
    this.events.setMaxListeners(100);
    this.child.stdout!.on("data", (chunk: Buffer) => this.onStdout(chunk));
    this.child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr.push(chunk);
      this.events.emit("stderr", chunk);
    });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        // Streams may still hold the last bytes: wait for both to end before reporting the exit.
        let open = 2;
        const done = () => {
          if (--open > 0) return;
          if (this.partial) this.take(this.partial);
          this.partial = "";
          this.exit = { code, signal };
          this.events.emit("exit", this.exit);
          resolve(this.exit);
        };
        for (const stream of [this.child.stdout!, this.child.stderr!]) {
          if (stream.readableEnded || stream.destroyed) done();
          else stream.once("close", done);
        }
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL (if still running) and wait for the exit. */
  async stop(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** Everything the process wrote, both streams. */
  output(): Buffer {
    return Buffer.concat([...this.stdout, ...this.stderr]);
  }

  stderrText(): string {
    return Buffer.concat(this.stderr).toString("utf8");
  }

  /**
   * The first line (from index `from`) that `match` accepts, now or when it is written. Rejects when
   * the process exits first or after `timeoutMs`, quoting the last lines.
   */
  waitForLine(match: (line: LogLine) => boolean, options: { timeoutMs: number; what: string; from?: number }): Promise<LogLine> {
    const found = this.lines.slice(options.from ?? 0).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off("line", onLine);
        this.events.off("exit", onExit);
      };
      const onLine = (line: LogLine) => {
        if (!match(line)) return;
        cleanup();
        resolve(line);
      };
      const onExit = (exit: Exit) => {
        cleanup();
        reject(new Error(`keywarden ${this.args.join(" ")} exited (${exit.code ?? exit.signal}) before ${options.what}\n${this.tail()}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${options.what} within ${options.timeoutMs} ms from keywarden ${this.args.join(" ")}\n${this.tail()}`));
      }, options.timeoutMs);
      this.events.on("line", onLine);
      if (this.exit) onExit(this.exit);
      else this.events.on("exit", onExit);
    });
  }

  /** Wait for a line whose `msg` matches. */
  waitForMessage(pattern: RegExp | string, timeoutMs: number, from?: number): Promise<LogLine> {
    const test = (msg: unknown) => typeof msg === "string" && (typeof pattern === "string" ? msg.includes(pattern) : pattern.test(msg));
    return this.waitForLine((l) => test(l.msg), { timeoutMs, what: `a log line matching ${String(pattern)}`, from });
  }

  /** The process's exit; rejects after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`keywarden ${this.args.join(" ")} still running after ${timeoutMs} ms\n${this.tail()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines of output, for failure messages. */
  tail(count = 30): string {
    const text = this.output().toString("utf8").split("\n");
    return text.slice(-count).join("\n");
  }

  private onStdout(chunk: Buffer): void {
    this.stdout.push(chunk);
    const text = this.partial + this.decoder.write(chunk);
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    for (const part of parts) this.take(part);
  }

  private take(text: string): void {
    if (text === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      this.lines.push(parsed as LogLine);
      this.events.emit("line", parsed);
    } else {
      this.notJson.push(text);
      this.events.emit("text", text);
    }
  }
}
