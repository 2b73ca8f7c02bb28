/**
 * The queue dashboard in a real browser: headless Chromium (Debian's `chromium` package, driven by
 * playwright-core with `executablePath`; no browser is ever downloaded) logs into /admin/queues of the
 * built `keywarden serve` with basic auth, sees every queue, opens the failed scans and reads a real
 * failure's reason, and saves screenshots under test-artifacts/ (git-ignored) for a person to look at.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import { ADMIN, failedScan } from "./helpers/operations.js";
import { OWNER, Scenario } from "./helpers/scenario.js";

checkEveryScenario();

const CHROMIUM = process.env.KEYWARDEN_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
// Nothing but the page under test: no first-run, sync, update or QUIC traffic of the browser's own.
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

describe("the queue dashboard in Chromium", () => {
  it("logs in, shows every queue and a failed scan's reason, and saves a screenshot", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
    const s = await Scenario.start({ env: { ...ADMIN } });
    const serve = await s.serve();
    const id = await failedScan(s, serve, "ghost");
    await mkdir(ARTIFACTS, { recursive: true });

    const profile = await mkdtemp(join(tmpdir(), "keywarden-chromium-"));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      httpCredentials: { username: ADMIN.KEYWARDEN_ADMIN_USER, password: ADMIN.KEYWARDEN_ADMIN_PASSWORD },
      viewport: { width: 1280, height: 900 },
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const base = `http://127.0.0.1:${s.port}/admin/queues`;
      const response = await page.goto(base);
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe("Keywarden");
      for (const queue of ["scan", "check", "audit", "summary", "labels"]) await page.getByRole("link", { name: new RegExp(`^${queue}\\b`, "i") }).first().waitFor({ timeout: 15_000 });
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-queues.png"), fullPage: true });

      await page.goto(`${base}/queue/scan?status=failed`);
      await page.getByText(`scan ${OWNER}/ghost`).first().waitFor({ timeout: 15_000 });
      const reason = page.getByText(/Not Found/).first();
      await reason.waitFor({ timeout: 15_000 });
      expect(await reason.textContent()).toMatch(/Not Found/);
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-failed-scan.png"), fullPage: true });
      // Read-only: no retry button on the failed job.
      expect(await page.getByRole("button", { name: /retry/i }).count()).toBe(0);
      expect(id).toBeTruthy();
    } finally {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 90_000);
});
