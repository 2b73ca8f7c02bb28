import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import type { SkippedFile } from "../domain/types.js";
import { errorCode } from "./discover-files.js";

export type ReadOutcome =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: SkippedFile["reason"]; detail: string };

const ARENA_BYTES = 2 * 1024 * 1024;

/**
 * Memory the files of one directory are read into, one after the other, so that reading ten
 * thousand small files allocates (and collects) a few buffers instead of ten thousand. What it
 * hands out is valid until `reset()`: copy what must outlive the directory.
 */
export class ReadArena {
  private buffer = Buffer.allocUnsafeSlow(ARENA_BYTES);
  private used = 0;
  /** Where what was handed out since the last reset starts, in `buffer`; earlier buffers in `full`. */
  private start = 0;
  private full: Buffer[] = [];

  /** Reuse the memory: every buffer handed out so far will be overwritten. */
  reset(): void {
    this.used = 0;
    this.start = 0;
    this.full = [];
  }

  /** At least `size` free bytes to read into; `commit` then hands out the part that was filled. */
  reserve(size: number): Buffer {
    if (size > this.buffer.length - this.used) {
      // Buffers handed out earlier keep the old memory alive as long as they are referenced.
      // (Unused parts of a buffer are never written, so they cost address space, not memory.)
      if (this.used > this.start) this.full.push(this.buffer.subarray(this.start, this.used));
      this.buffer = Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, size));
      this.used = 0;
      this.start = 0;
    }
    return this.buffer.subarray(this.used);
  }

  commit(size: number): Buffer {
    const out = this.buffer.subarray(this.used, this.used + size);
    this.used += size;
    return out;
  }

  /**
   * Everything handed out since the last reset, as few contiguous buffers (usually one): one
   * search over a directory's files costs far less than one search per file.
   */
  written(): Buffer[] {
    return this.used > this.start ? [...this.full, this.buffer.subarray(this.start, this.used)] : [...this.full];
  }
}

/**
 * Reads one file once, into `arena` (the bytes are valid until its next reset). The listing said it
 * is a regular file; O_NOFOLLOW refuses a symbolic link swapped in since, and O_NONBLOCK keeps a
 * FIFO swapped in from hanging the scan. At most `maxBytes + 1` bytes are read: a file that has
 * more is skipped as too large (and only then is it `fstat`ed, for its size), so nothing swapped
 * in makes the scan read more than the cap. An empty read is `fstat`ed too, so that a FIFO without
 * a writer is reported as what it is. Synchronous: see `walkDirectories`.
 *
 * No `fstat` for the common case is deliberate: with a listing of ten thousand small files, the
 * call and its `Stats` object cost as much as the read.
 */
export function readTerraformFile(absPath: string, maxBytes: number, arena: ReadArena): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(absPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ELOOP") return { ok: false, reason: "symlink", detail: "symbolic links are not followed" };
    return { ok: false, reason: "unreadable", detail: code };
  }
  try {
    const space = arena.reserve(maxBytes + 1);
    let length = 0;
    while (length <= maxBytes) {
      const n = readSync(fd, space, length, maxBytes + 1 - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes || length === 0) {
      const stat = fstatSync(fd);
      if (!stat.isFile()) return { ok: false, reason: "unreadable", detail: "not a regular file" };
      if (length > maxBytes) {
        return { ok: false, reason: "too-large", detail: `${Math.max(stat.size, length)} bytes, over the ${maxBytes}-byte cap` };
      }
    }
    return { ok: true, bytes: arena.commit(length) };
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

/**
 * Terraform files are UTF-8 text; a NUL byte means binary. A leading BOM is dropped. `mayHoldNul`
 * false: the caller knows there is no NUL byte (it searched a larger buffer holding these bytes).
 */
export function classifyBytes(bytes: Buffer, mayHoldNul = true): { ok: true } | { ok: false; reason: "binary" | "not-utf8"; detail: string } {
  if (mayHoldNul && bytes.includes(0)) return { ok: false, reason: "binary", detail: "contains NUL bytes" };
  if (!isUtf8(bytes)) return { ok: false, reason: "not-utf8", detail: "not valid UTF-8" };
  return { ok: true };
}

export function decodeText(bytes: Buffer): string {
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString("utf8", start);
}
