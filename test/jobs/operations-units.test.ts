/** The pure parts of operations: which request is which issue write, the cached readiness check, basic auth. */
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { hasCredentials } from "../../src/app/routes/dashboard.js";
import { issueWriteKind } from "../../src/jobs/github-metrics.js";
import { auditProgress } from "../../src/jobs/progress.js";
import { cached, Readiness } from "../../src/jobs/readiness.js";

describe("issueWriteKind", () => {
  it.each([
    ["POST", "/repos/{owner}/{repo}/issues", undefined, "create"],
    ["POST", "/repos/o/r/issues", undefined, "create"],
    ["PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", undefined, "update"],
    ["PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", "closed", "close"],
    ["PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", "open", "reopen"],
    ["POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", undefined, "comment"],
    ["POST", "/repos/{owner}/{repo}/labels", undefined, "label"],
    ["GET", "/repos/{owner}/{repo}/issues", undefined, undefined],
    ["POST", "/app/installations/{installation_id}/access_tokens", undefined, undefined],
    ["POST", "/graphql", undefined, undefined],
  ])("%s %s (state %s) is %s", (method, url, state, kind) => {
    expect(issueWriteKind(method, url, state)).toBe(kind);
  });
});

describe("readiness", () => {
  it("keeps a check's answer for a while and shares one run between concurrent callers", async () => {
    let now = 0;
    let runs = 0;
    let fail = false;
    const check = cached(
      async () => {
        runs++;
        if (fail) throw new Error("refused");
      },
      { okForMs: 30_000, failedForMs: 5_000, now: () => now },
    );
    expect(await Promise.all([check(), check()])).toEqual([{ ok: true }, { ok: true }]);
    expect(runs).toBe(1);
    now = 29_999;
    await check();
    expect(runs).toBe(1);
    now = 30_000;
    fail = true;
    expect(await check()).toEqual({ ok: false, error: "refused" });
    now = 34_999;
    expect(await check()).toEqual({ ok: false, error: "refused" });
    expect(runs).toBe(2);
  });

  it("names every failing check", async () => {
    const readiness = new Readiness({ redis: async () => ({ ok: false, error: "down" }), github: async () => ({ ok: true }) });
    expect(await readiness.report()).toEqual({ ok: false, failing: ["redis"], checks: { redis: { ok: false, error: "down" }, github: { ok: true } } });
  });
});

describe("dashboard credentials", () => {
  const admin = { user: "ops", password: "s3cret:with colon" };
  const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
  const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
  it("accepts only the configured user and password", () => {
    expect(hasCredentials(req(basic("ops:s3cret:with colon")), admin)).toBe(true);
    expect(hasCredentials(req(basic("ops:s3cret")), admin)).toBe(false);
    expect(hasCredentials(req(basic("Ops:s3cret:with colon")), admin)).toBe(false);
    expect(hasCredentials(req(basic("ops")), admin)).toBe(false);
    expect(hasCredentials(req("Bearer s3cret"), admin)).toBe(false);
    expect(hasCredentials(req(), admin)).toBe(false);
  });
});

describe("auditProgress", () => {
  it("counts repositories done out of total", () => {
    expect(auditProgress({ repositories: 5, scanned: 1, unchanged: 2, skipped: 0, failed: 1 })).toEqual({ done: 4, total: 5, scanned: 1, unchanged: 2, skipped: 0, failed: 1, pending: 1 });
  });
});
