/**
 * Text that came from a repository (file names, resource names, evaluated values) is printed to a
 * terminal by the `text` format. A file name can carry ANSI escape sequences, carriage returns or
 * bidirectional overrides that would rewrite what the reader sees, so every such character is shown
 * as a visible escape instead of being interpreted.
 */

// C0 controls except tab, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph
// separators, and the zero-width characters that can hide text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/** Make one line of untrusted text safe to print: no control sequence survives, nothing is lost. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

export interface Palette {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

const identity = (text: string): string => text;

export const plainPalette: Palette = {
  bold: identity,
  dim: identity,
  red: identity,
  yellow: identity,
  green: identity,
  cyan: identity,
};

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

export const ansiPalette: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
};

/**
 * Colour only for a person at a terminal: the stream must be a TTY and NO_COLOR (no-color.org) must
 * be unset or empty.
 */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env["NO_COLOR"];
}
