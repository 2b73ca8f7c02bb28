import { createRequire } from "node:module";
import { getNextMillis } from "bullmq";
import { describe, expect, it } from "vitest";
import { readSettings, SettingsError } from "../../src/config/settings.js";

describe("readSettings", () => {
  it("has a sensible default for everything", () => {
    expect(readSettings({})).toEqual({
      redisUrl: "redis://127.0.0.1:6379",
      queuePrefix: "{keywarden}",
      auditCron: "0 2 * * *",
      summaryCron: "0 8 * * 1",
      timeZone: "UTC",
      scanConcurrency: 4,
      writesPerMinute: 80,
      writesPerHour: 500,
      maxNewIssuesPerRun: undefined,
      serverUrl: "https://github.com",
      cloneProtocols: ["https"],
      jobLockMs: 20_000,
    });
  });

  it("points clones and permalinks at GitHub Enterprise Server, http included", () => {
    expect(readSettings({ GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "http" })).toMatchObject({
      serverUrl: "http://ghe.example.com",
      cloneProtocols: ["http"],
    });
  });

  it("keeps GHE_HOST as the origin clone URLs have, so the token is not refused for a capital letter", () => {
    const { serverUrl } = readSettings({ GHE_HOST: "GHE.Example.com:443" });
    expect(serverUrl).toBe("https://ghe.example.com");
    expect(serverUrl).toBe(new URL("https://ghe.example.com/acme/infra.git").origin);
  });

  it.each([
    ["GHE_HOST", "ghe.example.com:99999"],
    ["REDIS_URL", "localhost:6379"],
    ["REDIS_URL", "http://x"],
    ["KEYWARDEN_SCAN_CONCURRENCY", "0"],
    ["KEYWARDEN_WRITES_PER_MINUTE", "lots"],
    ["KEYWARDEN_AUDIT_CRON", "every night"],
    ["KEYWARDEN_TZ", "Mars/Olympus"],
    ["GHE_PROTOCOL", "ftp"],
  ])("fails naming %s when it is %j", (variable, value) => {
    const env = { GHE_HOST: "ghe.example.com", [variable]: value };
    expect(() => readSettings(env)).toThrow(SettingsError);
    expect(() => readSettings(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it("keeps the wording the process prints for a bad number", () => {
    expect(() => readSettings({ KEYWARDEN_SCAN_CONCURRENCY: "many" })).toThrow(
      new SettingsError("KEYWARDEN_SCAN_CONCURRENCY", 'expected a whole number of at least 1, got "many"'),
    );
    expect(readSettings({ KEYWARDEN_MAX_NEW_ISSUES_PER_RUN: "" }).maxNewIssuesPerRun).toBeUndefined();
    expect(readSettings({ KEYWARDEN_MAX_NEW_ISSUES_PER_RUN: "7", KEYWARDEN_WRITES_PER_HOUR: "" })).toMatchObject({ maxNewIssuesPerRun: 7, writesPerHour: 500 });
  });

  it("checks GHE_PROTOCOL only when GHE_HOST is set, as Probot reads it", () => {
    expect(readSettings({ GHE_PROTOCOL: "ftp" }).serverUrl).toBe("https://github.com");
  });
});

describe("cron patterns", () => {
  const at = Date.UTC(2026, 0, 1);

  it.each([
    ["KEYWARDEN_AUDIT_CRON", "99 99 * * *", "(Constraint error, got value 99 expected range 0-59)"],
    // The parser takes four fields, filling in from the left ("every minute of midnight on the 2nd"):
    // not what anyone writing it meant, so it is refused.
    ["KEYWARDEN_SUMMARY_CRON", "0 2 * *", "(4 fields; use minute hour day-of-month month weekday, optionally with seconds first)"],
    ["KEYWARDEN_AUDIT_CRON", "0 2 30 2 *", "(Invalid explicit day of month definition)"],
    ["KEYWARDEN_SUMMARY_CRON", "0 2 31 2,4 *", "(it never comes round; check the day and month)"],
    ["KEYWARDEN_AUDIT_CRON", "0 0 2 * * * *", "(7 fields; use minute hour day-of-month month weekday, optionally with seconds first)"],
    ["KEYWARDEN_AUDIT_CRON", "@reboot", '(Validation error, cannot resolve alias "reb")'],
  ])("refuses %s=%j at start, naming the variable", (variable, pattern, why) => {
    expect(() => readSettings({ [variable]: pattern })).toThrow(
      new SettingsError(variable, `expected a cron pattern like "0 2 * * *", got ${JSON.stringify(pattern)} ${why}`),
    );
  });

  it.each([
    ["0 2 * * *", "2026-01-01T02:00:00.000Z"],
    ["0 30 2 * * *", "2026-01-01T02:30:00.000Z"],
    ["@daily", "2026-01-02T00:00:00.000Z"],
    ["0 8 * * MON", "2026-01-05T08:00:00.000Z"],
  ])("accepts %j, which BullMQ schedules", (pattern, next) => {
    expect(readSettings({ KEYWARDEN_AUDIT_CRON: pattern, KEYWARDEN_SUMMARY_CRON: pattern })).toMatchObject({ auditCron: pattern, summaryCron: pattern });
    expect(new Date(getNextMillis(at, { pattern, tz: "UTC" })!).toISOString()).toBe(next);
  });

  it("refuses only what BullMQ cannot schedule, or the four-field pattern that means something else", () => {
    for (const pattern of ["99 99 * * *", "0 2 30 2 *", "@reboot", "every night"]) {
      expect(() => getNextMillis(at, { pattern, tz: "UTC" })).toThrow();
    }
    // A pattern that parses but never comes round: BullMQ would schedule nothing, silently.
    expect(getNextMillis(at, { pattern: "0 2 31 2,4 *", tz: "UTC" })).toBeUndefined();
  });

  it("reads the pattern in KEYWARDEN_TZ and checks the time zone first", () => {
    expect(readSettings({ KEYWARDEN_AUDIT_CRON: "0 30 2 * * *", KEYWARDEN_TZ: "Europe/Berlin" })).toMatchObject({
      auditCron: "0 30 2 * * *",
      timeZone: "Europe/Berlin",
    });
    expect(() => readSettings({ KEYWARDEN_AUDIT_CRON: "99 99 * * *", KEYWARDEN_TZ: "Mars/Olympus" })).toThrow(/^KEYWARDEN_TZ: /);
    // Luxon (inside the cron parser) would take it; Node's Intl, which the rest of the code uses, does not.
    expect(() => readSettings({ KEYWARDEN_TZ: "UTC+2" })).toThrow(/^KEYWARDEN_TZ: unknown time zone "UTC\+2"/);
  });

  it("is checked with the very cron-parser BullMQ loads", () => {
    const ours = createRequire(import.meta.url);
    const bullmqs = createRequire(ours.resolve("bullmq"));
    expect(ours.resolve("cron-parser")).toBe(bullmqs.resolve("cron-parser"));
  });
});
