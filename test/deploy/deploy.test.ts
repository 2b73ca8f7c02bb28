/**
 * The deployment files, checked by reading them (Docker cannot run here): the Compose file parsed
 * with `yaml`, the Dockerfile and .dockerignore by instruction, .env.example against the variables
 * the code reads and the defaults it applies.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config/settings.js";

const root = join(import.meta.dirname, "..", "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");

/** Values that must never be committed: keys, tokens, long random strings. */
const SECRET_LOOKING = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bgh[opsur]_[A-Za-z0-9]{20,}/, /\bgithub_pat_[A-Za-z0-9_]{20,}/, /\b[0-9a-f]{32,}\b/i, /\b[A-Za-z0-9+/]{40,}={0,2}/];
const SECRET_NAMES = ["PRIVATE_KEY", "WEBHOOK_SECRET"];

const LEAD_VARIABLES = [
  "APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "WEBHOOK_PATH", "GHE_HOST", "GHE_PROTOCOL", "LOG_LEVEL", "PORT", "HOST",
  "REDIS_URL", "KEYWARDEN_QUEUE_PREFIX", "KEYWARDEN_AUDIT_CRON", "KEYWARDEN_SUMMARY_CRON", "KEYWARDEN_TZ", "KEYWARDEN_SCAN_CONCURRENCY", "KEYWARDEN_JOB_LOCK_MS",
  "KEYWARDEN_WRITES_PER_MINUTE", "KEYWARDEN_WRITES_PER_HOUR", "KEYWARDEN_MAX_NEW_ISSUES_PER_RUN",
];

interface EnvLine {
  name: string;
  value: string;
  index: number;
}

/** KEY=VALUE lines as Compose and dotenv read them (surrounding quotes removed). */
function parseEnvFile(text: string): { lines: string[]; vars: EnvLine[] } {
  const lines = text.split("\n");
  const vars: EnvLine[] = [];
  lines.forEach((line, index) => {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) vars.push({ name: m[1]!, value: m[2]!.replace(/^"(.*)"$/, "$1"), index });
  });
  return { lines, vars };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe(".env.example", () => {
  const { lines, vars } = parseEnvFile(read(".env.example"));
  const env = Object.fromEntries(vars.map((v) => [v.name, v.value]));

  it("lists every variable exactly once", () => {
    for (const name of LEAD_VARIABLES) expect(vars.filter((v) => v.name === name), name).toHaveLength(1);
  });

  it("lists every KEYWARDEN_ variable the code reads", () => {
    const read = new Set(sourceFiles(join(root, "src")).flatMap((f) => [...readFileSync(f, "utf8").matchAll(/(?:env\.|["'`])(KEYWARDEN_[A-Z0-9_]+)\b/g)].map((m) => m[1]!)));
    for (const name of read) expect(env, `${name} is read by src/ but missing from .env.example`).toHaveProperty(name);
  });

  it("documents every variable with a comment", () => {
    for (const v of vars) {
      let i = v.index - 1;
      while (i >= 0 && /^[A-Z][A-Z0-9_]*=/.test(lines[i]!)) i--; // a group shares its comment
      expect(lines[i] ?? "", `${v.name} has no comment above it`).toMatch(/^# \S/);
    }
  });

  it("commits no secret values", () => {
    for (const name of SECRET_NAMES) expect(env[name], name).toBe("");
    expect(env.APP_ID).toBe("");
    for (const v of vars) for (const pattern of SECRET_LOOKING) expect(v.value, v.name).not.toMatch(pattern);
  });

  it("gives the code's own defaults, with container-friendly network settings", () => {
    expect(env).toMatchObject({
      KEYWARDEN_QUEUE_PREFIX: "{keywarden}",
      KEYWARDEN_AUDIT_CRON: "0 2 * * *",
      KEYWARDEN_SUMMARY_CRON: "0 8 * * 1",
      KEYWARDEN_TZ: "UTC",
      KEYWARDEN_WRITES_PER_MINUTE: "80",
      KEYWARDEN_WRITES_PER_HOUR: "500",
      WEBHOOK_PATH: "/api/github/webhooks",
      HOST: "0.0.0.0",
      REDIS_URL: "redis://redis:6379",
    });
    // The file, read by the real settings reader, means the same as no settings at all.
    const { redisUrl, ...fromFile } = readSettings(env);
    const { redisUrl: defaultRedis, ...defaults } = readSettings({});
    expect(fromFile).toEqual(defaults);
    expect(new URL(redisUrl).hostname).toBe("redis");
    expect(defaultRedis).toMatch(/^redis:\/\//);
  });
});

describe("docker-compose.yml", () => {
  const text = read("docker-compose.yml");
  const compose = parse(text) as {
    services: Record<string, Record<string, any>>;
    volumes?: Record<string, unknown>;
  };
  const { redis, web, worker } = compose.services;
  const flat = (v: unknown) => (Array.isArray(v) ? v.map(String).join(" ") : String(v ?? ""));

  it("has redis, web and worker services", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["redis", "web", "worker"]);
  });

  it("runs Redis with AOF, noeviction, a named volume and a health check", () => {
    const command = flat(redis!.command);
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    const volume = (redis!.volumes as string[]).find((v) => v.endsWith(":/data"));
    const name = volume?.split(":")[0];
    expect(name && compose.volumes && name in compose.volumes, "a named volume on /data").toBe(true);
    expect(flat(redis!.healthcheck?.test)).toMatch(/redis-cli ping/);
    expect(redis!.ports, "Redis is not published").toBeUndefined();
  });

  it("runs the web role with its port, a health check and Redis healthy first", () => {
    expect(web!.command).toEqual(["serve", "--role", "web"]);
    expect(web!.ports).toEqual(["${PORT:-3000}:${PORT:-3000}"]);
    expect(flat(web!.healthcheck?.test)).toMatch(/\/readyz/);
    expect(web!.depends_on).toEqual({ redis: { condition: "service_healthy" } });
  });

  it("runs a scalable worker role: no container name, no fixed host port", () => {
    expect(worker!.command).toEqual(["serve", "--role", "worker"]);
    expect(worker!.container_name).toBeUndefined();
    expect(worker!.ports).toBeUndefined();
    expect(worker!.depends_on).toEqual({ redis: { condition: "service_healthy" } });
    expect(worker!.image).toBe(web!.image);
    expect(flat(worker!.healthcheck?.test)).toMatch(/KEYWARDEN_WORKER_PORT \|\| 3001\) \+ '\/readyz'/);
  });

  it("takes every Keywarden setting from .env and commits no secret", () => {
    for (const service of [web!, worker!]) {
      expect(service.env_file).toBe(".env");
      for (const name of Object.keys(service.environment ?? {})) expect(SECRET_NAMES).not.toContain(name);
    }
    for (const pattern of SECRET_LOOKING) expect(text).not.toMatch(pattern);
    for (const name of SECRET_NAMES) expect(text).not.toMatch(new RegExp(`${name}\\s*[:=]\\s*\\S`));
  });
});

describe("Dockerfile", () => {
  // Instructions, with continuation lines joined and comments dropped.
  const instructions = read("Dockerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const froms = instructions.map((l, i) => [l, i] as const).filter(([l]) => /^FROM /i.test(l));
  const finalStage = instructions.slice(froms.at(-1)![1]);
  const buildStage = instructions.slice(froms[0]![1], froms.at(-1)![1]);

  it("is multi-stage on Node 20: build with dev dependencies, copy only the output", () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(instructions.find((l) => l.startsWith("ARG NODE_IMAGE="))).toMatch(/node:20-/);
    expect(froms[0]![0]).toMatch(/ AS build$/i);
    expect(buildStage.some((l) => /^RUN npm ci\b(?!.*--omit=dev)/.test(l))).toBe(true);
    expect(buildStage.some((l) => /npm run build/.test(l))).toBe(true);
    expect(finalStage).toContain("COPY --from=build /app/dist ./dist");
  });

  it("installs only production dependencies, and git, in the runtime stage", () => {
    const npmCi = finalStage.filter((l) => /npm ci\b/.test(l));
    expect(npmCi).toHaveLength(1);
    expect(npmCi[0]).toMatch(/npm ci --omit=dev/);
    expect(finalStage.some((l) => /apt-get install .*\bgit\b/.test(l))).toBe(true);
  });

  it("runs as the non-root node user", () => {
    const users = finalStage.filter((l) => /^USER /i.test(l));
    expect(users.at(-1)).toBe("USER node");
    expect(finalStage.indexOf(users.at(-1)!)).toBeGreaterThan(finalStage.findIndex((l) => /npm ci/.test(l)));
  });

  it("starts the keywarden command, serve by default", () => {
    const pkg = JSON.parse(read("package.json")) as { bin: { keywarden: string } };
    expect(finalStage).toContain(`ENTRYPOINT ["node", "${pkg.bin.keywarden}"]`);
    expect(finalStage.at(-1)).toBe('CMD ["serve"]');
  });

  it("has a .dockerignore that keeps secrets and local state out but lets the build inputs in", () => {
    const ignored = read(".dockerignore").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    for (const entry of [".env", ".env.*", "*.pem", "node_modules", ".git", "dist"]) expect(ignored).toContain(entry);
    const copied = instructions.filter((l) => /^COPY (?!--from)/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const source of copied) expect(ignored, `${source} is copied but ignored`).not.toContain(source);
  });
});

describe("README", () => {
  it("documents every environment variable the code reads, in its tables", () => {
    const readme = read("README.md");
    const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!));
    const names = new Set(
      sourceFiles(join(root, "src")).flatMap((f) =>
        [...readFileSync(f, "utf8").matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[["']([A-Z][A-Z0-9_]*)["']\])|\(env, "([A-Z][A-Z0-9_]*)"/g)].map((m) => m[1] ?? m[2] ?? m[3]!),
      ),
    );
    names.delete("PATH"); // handed to git, not a setting
    expect(names.size).toBeGreaterThan(10);
    for (const name of names) expect(documented, `${name} is read by src/ but has no row in README.md`).toContain(name);
  });
});
