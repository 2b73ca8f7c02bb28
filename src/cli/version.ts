/**
 * The package version, read from the nearest package.json named `keywarden` above this module, so it
 * is right whether the code runs from `dist/` or from an installed package.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "keywarden" && typeof pkg.version === "string") return (cached = pkg.version);
    } catch {
      // No package.json here (or unreadable): keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) return (cached = "0.0.0");
    dir = parent;
  }
}
