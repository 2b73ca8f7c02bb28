import type { ScanError } from "../domain/types.js";

/**
 * A parser that cannot run at all (its WASM did not load or start). Unlike a file that does not
 * parse, this is no file's fault and every file would fail alike, so the scan fails as a whole: a
 * broken installation must never look like a tree without findings (nor close issues as fixed).
 */
export class ParserUnavailableError extends Error {
  override name = "ParserUnavailableError";
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lists `error` against `file` and lets the scan go on, unless no parser can run: then it stops. */
export function reportFileError(errors: ScanError[], file: string, error: unknown, prefix = ""): void {
  if (error instanceof ParserUnavailableError) throw error;
  errors.push({ file, message: prefix + messageOf(error) });
}
