import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import type { SkippedFile } from "../domain/types.js";
import { errorCode } from "./discover-files.js";

export type ReadOutcome =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: SkippedFile["reason"]; detail: string };

/**
 * Reads one file once, refusing anything that is not a plain regular file at the moment of opening
 * (O_NOFOLLOW closes the gap between discovery and read; O_NONBLOCK keeps a FIFO from hanging us).
 * Files over `maxBytes` are not read at all. Synchronous: see `walkDirectories`.
 */
export function readTerraformFile(absPath: string, maxBytes: number): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(absPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ELOOP") return { ok: false, reason: "symlink", detail: "symbolic links are not followed" };
    return { ok: false, reason: "unreadable", detail: code };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: "unreadable", detail: "not a regular file" };
    if (stat.size > maxBytes) {
      return { ok: false, reason: "too-large", detail: `${stat.size} bytes, over the ${maxBytes}-byte cap` };
    }
    // Read exactly the size fstat gave (a file that changes meanwhile is read as far as that).
    const buffer = Buffer.allocUnsafe(stat.size);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (error) {
    return { ok: false, reason: "unreadable", detail: errorCode(error) };
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Nothing useful to do: the descriptor is gone either way.
    }
  }
}

/** Terraform files are UTF-8 text; a NUL byte means binary. A leading BOM is dropped. */
export function classifyBytes(bytes: Buffer): { ok: true } | { ok: false; reason: "binary" | "not-utf8"; detail: string } {
  if (bytes.includes(0)) return { ok: false, reason: "binary", detail: "contains NUL bytes" };
  if (!isUtf8(bytes)) return { ok: false, reason: "not-utf8", detail: "not valid UTF-8" };
  return { ok: true };
}

export function decodeText(bytes: Buffer): string {
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString("utf8", start);
}
