/**
 * The operations settings of `keywarden serve`: where a worker-only process answers /healthz,
 * /readyz and /metrics, and who may open the queue dashboard. Read like the other process settings
 * (./settings.ts): once, at start, and a bad value stops the start with one line naming the variable.
 */
import { z } from "zod";
import { SettingsError } from "./settings.js";
import { describe } from "./validation.js";

export interface AdminSettings {
  user: string;
  password: string;
  /** Retry, promote, clean and remove jobs from the dashboard (default: read-only). */
  write: boolean;
}

export interface OperationsSettings {
  /** Port of a worker-only process's operations server (`serve --role worker`). */
  workerPort: number;
  /** Address it binds to: HOST, as the web role's server. */
  host: string;
  /** The dashboard's credentials; undefined (dashboard off, 404) unless both are set. */
  admin: AdminSettings | undefined;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_WORKER_PORT = 3001;

const optional = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === "" ? undefined : value));

const port = optional.pipe(
  z
    .string()
    .regex(/^\d{1,5}$/, { error: (issue) => `expected a port number from 1 to 65535, got ${JSON.stringify(issue.input)}` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65_535, { error: (issue) => `expected a port number from 1 to 65535, got ${String(issue.input)}` })
    .optional(),
);

const flag = optional.pipe(
  z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(["true", "false", "1", "0", "yes", "no"], { error: (issue) => `expected true or false, got ${JSON.stringify(issue.input)}` }))
    .transform((value) => value === "true" || value === "1" || value === "yes")
    .optional(),
);

function read<T>(env: Env, name: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(env[name]);
  if (parsed.success) return parsed.data;
  throw new SettingsError(name, describe(parsed.error));
}

export function readOperationsSettings(env: Env = process.env): OperationsSettings {
  const user = read(env, "KEYWARDEN_ADMIN_USER", optional);
  const password = read(env, "KEYWARDEN_ADMIN_PASSWORD", optional);
  const write = read(env, "KEYWARDEN_ADMIN_WRITE", flag) ?? false;
  if (user !== undefined && user.includes(":")) throw new SettingsError("KEYWARDEN_ADMIN_USER", "must not contain ':' (HTTP basic auth separates user and password with it)");
  return {
    workerPort: read(env, "KEYWARDEN_WORKER_PORT", port) ?? DEFAULT_WORKER_PORT,
    host: env.HOST?.trim() || "localhost",
    admin: user !== undefined && password !== undefined ? { user, password, write } : undefined,
  };
}
