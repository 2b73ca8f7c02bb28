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
});
