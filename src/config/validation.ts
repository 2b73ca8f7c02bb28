/**
 * What the config layer's zod schemas share: how a failed parse reads. Process settings
 * (settings.ts) throw it, naming the variable; the repository configuration (repo-config.ts)
 * reports it with the key's path and carries on with the default.
 */
import type { z } from "zod";

/** A failed parse as one line: its issues' messages, in order. */
export function describe(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join("; ");
}
