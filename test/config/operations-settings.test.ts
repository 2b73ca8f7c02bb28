import { describe, expect, it } from "vitest";
import { readOperationsSettings } from "../../src/config/operations-settings.js";
import { SettingsError } from "../../src/config/settings.js";

describe("readOperationsSettings", () => {
  it("defaults: worker port 3001 on HOST, no dashboard", () => {
    expect(readOperationsSettings({})).toEqual({ workerPort: 3001, host: "localhost", admin: undefined });
    expect(readOperationsSettings({ HOST: "0.0.0.0", KEYWARDEN_WORKER_PORT: "9464" })).toMatchObject({ workerPort: 9464, host: "0.0.0.0" });
  });

  it("turns the dashboard on only with both credentials, read-only unless KEYWARDEN_ADMIN_WRITE=true", () => {
    expect(readOperationsSettings({ KEYWARDEN_ADMIN_USER: "ops" }).admin).toBeUndefined();
    expect(readOperationsSettings({ KEYWARDEN_ADMIN_PASSWORD: "pw" }).admin).toBeUndefined();
    expect(readOperationsSettings({ KEYWARDEN_ADMIN_USER: "ops", KEYWARDEN_ADMIN_PASSWORD: "" }).admin).toBeUndefined();
    expect(readOperationsSettings({ KEYWARDEN_ADMIN_USER: "ops", KEYWARDEN_ADMIN_PASSWORD: "pw" }).admin).toEqual({ user: "ops", password: "pw", write: false });
    expect(readOperationsSettings({ KEYWARDEN_ADMIN_USER: "ops", KEYWARDEN_ADMIN_PASSWORD: "pw", KEYWARDEN_ADMIN_WRITE: "true" }).admin?.write).toBe(true);
    expect(readOperationsSettings({ KEYWARDEN_ADMIN_USER: "ops", KEYWARDEN_ADMIN_PASSWORD: "pw", KEYWARDEN_ADMIN_WRITE: "false" }).admin?.write).toBe(false);
  });

  it.each([
    ["KEYWARDEN_WORKER_PORT", "0"],
    ["KEYWARDEN_WORKER_PORT", "70000"],
    ["KEYWARDEN_WORKER_PORT", "http"],
    ["KEYWARDEN_ADMIN_WRITE", "sometimes"],
    ["KEYWARDEN_ADMIN_USER", "a:b"],
  ])("refuses %s=%s with one line naming it", (variable, value) => {
    const env = { [variable]: value, KEYWARDEN_ADMIN_PASSWORD: "pw" };
    expect(() => readOperationsSettings(env)).toThrow(SettingsError);
    expect(() => readOperationsSettings(env)).toThrow(new RegExp(`^${variable}: `));
  });
});
