import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type picomatchType from "picomatch";
import type { SkippedFile } from "../domain/types.js";
import { SKIPPED_DIRECTORIES, terraformFileKind, type TerraformFileKind } from "../domain/terraform-files.js";

export interface DiscoveredFile {
  /** POSIX path relative to the root. */
  path: string;
  /** Absolute path on disk. */
  absPath: string;
  /** POSIX directory relative to the root ("." for the root): the module the file belongs to. */
  dir: string;
  /** File name alone. */
  name: string;
  kind: TerraformFileKind;
}

export interface DiscoverOptions {
  ignorePaths?: readonly string[];
}

/** One directory's share of the walk: a module's files, plus what was skipped or failed there. */
export interface DirectoryListing {
  dir: string;
  /** Sorted by name. */
  files: DiscoveredFile[];
  skipped: SkippedFile[];
  errors: { file: string; message: string }[];
}

/**
 * Walks `root` for Terraform files, one directory at a time (so a scan can work on a module while
 * the walk goes on, and memory does not grow with the tree). Symlinks are never followed (each is
 * reported as skipped), so loops and links out of the tree are impossible by construction.
 * Directories come in a fixed order (depth-first, by name). Synchronous on purpose: listing and
 * reading many small files is several times faster without a thread-pool round trip per call;
 * the caller yields to the event loop between directories.
 */
export function* walkDirectories(root: string, options: DiscoverOptions = {}): Generator<DirectoryListing> {
  const patterns = options.ignorePaths ?? [];
  // picomatch is loaded only when there are patterns: `keywarden scan` has none, and loading costs.
  const isIgnored = patterns.length > 0 ? loadPicomatch()([...patterns], { dot: true }) : () => false;
  const pending: string[] = ["."];
  while (pending.length > 0) {
    const rel = pending.pop() as string;
    const listing: DirectoryListing = { dir: rel, files: [], skipped: [], errors: [] };
    const abs = rel === "." ? root : join(root, ...rel.split("/"));
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (error) {
      listing.errors.push({ file: rel, message: `cannot read directory: ${errorCode(error)}` });
      yield listing;
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const path = rel === "." ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        if (!isIgnored(path)) listing.skipped.push({ file: path, reason: "symlink", detail: "symbolic links are not followed" });
        continue;
      }
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
        if (isIgnored(path)) {
          listing.skipped.push({ file: path, reason: "ignored", detail: "matches ignorePaths" });
          continue;
        }
        subdirs.push(path);
        continue;
      }
      const kind = terraformFileKind(entry.name);
      if (!kind) continue;
      if (isIgnored(path)) {
        listing.skipped.push({ file: path, reason: "ignored", detail: "matches ignorePaths" });
        continue;
      }
      if (!entry.isFile()) {
        listing.skipped.push({ file: path, reason: "unreadable", detail: "not a regular file" });
        continue;
      }
      listing.files.push({ path, absPath: join(abs, entry.name), dir: rel, name: entry.name, kind });
    }
    // Reverse onto the stack so directories are visited in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) pending.push(subdirs[i] as string);
    yield listing;
  }
}

function loadPicomatch(): typeof picomatchType {
  return createRequire(import.meta.url)("picomatch") as typeof picomatchType;
}

export function errorCode(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.message : String(error);
}
