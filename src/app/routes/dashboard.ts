/**
 * The queue dashboard: Bull Board at /admin/queues, behind HTTP basic auth with
 * KEYWARDEN_ADMIN_USER and KEYWARDEN_ADMIN_PASSWORD (compared in constant time, as SHA-256 digests
 * so neither length nor content leaks). Without both the dashboard does not exist (404). Read-only
 * unless KEYWARDEN_ADMIN_WRITE=true: Bull Board's read-only mode hides the buttons, and any request
 * but GET or HEAD is refused here as well.
 *
 * Bull Board's Express adapter serves it: Probot 14's server is a plain node:http server whose
 * handlers must claim a request synchronously, so this route claims the prefix, checks the
 * credentials, and hands the request to the adapter's Express app with the prefix taken off.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AdminSettings } from "../../config/operations-settings.js";
import { QUEUE_NAMES, type Queues } from "../../jobs/queues.js";
import { isRead, pathOf, sendJson, type Route } from "./http.js";

export const DASHBOARD_PATH = "/admin/queues";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Whether the request's basic-auth credentials are these, in time independent of where they differ. */
export function hasCredentials(req: IncomingMessage, admin: Pick<AdminSettings, "user" | "password">): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(req.headers.authorization ?? "");
  const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  const user = colon >= 0 ? decoded.slice(0, colon) : "";
  const password = colon >= 0 ? decoded.slice(colon + 1) : "";
  // Both comparisons always run: no early exit on a wrong user name.
  const userOk = timingSafeEqual(digest(user), digest(admin.user));
  const passwordOk = timingSafeEqual(digest(password), digest(admin.password));
  return colon >= 0 && userOk && passwordOk;
}

type NodeApp = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The dashboard's route; one that claims nothing (so /admin/queues is a 404) when `admin` is undefined. */
export async function dashboardRoute(queues: Queues, admin: AdminSettings | undefined, log: Logger): Promise<Route> {
  if (!admin) return () => false;
  // Loaded only when the dashboard is on.
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import("@bull-board/api"),
    import("@bull-board/api/bullMQAdapter"),
    import("@bull-board/express"),
  ]);
  const readOnlyMode = !admin.write;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  const describe: Record<string, string> = {
    scan: "one job per repository scan (stage: config, clone, scan, issues)",
    audit: "audits: one per installation (progress: repositories done of total) and the nightly fan-out",
    summary: "weekly compliance summaries",
    check: "pull-request check runs: one job per pull request, a newer push replacing the waiting one",
    labels: "colours of the labels GitHub created grey for new issues, one job per repository and scan",
  };
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => queues[name]).map(
      (queue) => new BullMQAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode, description: describe[queue.name] ?? "" }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: "Keywarden" } },
  });
  const app = serverAdapter.getRouter() as NodeApp & { disable(setting: string): void };
  app.disable("x-powered-by");

  return (req, res) => {
    const path = pathOf(req);
    if (path !== DASHBOARD_PATH && !path.startsWith(`${DASHBOARD_PATH}/`)) return false;
    if (!hasCredentials(req, admin)) {
      sendJson(res, 401, { error: "credentials required" }, { "www-authenticate": 'Basic realm="Keywarden", charset="UTF-8"' });
      return true;
    }
    if (readOnlyMode && !isRead(req)) {
      sendJson(res, 403, { error: "the dashboard is read-only (set KEYWARDEN_ADMIN_WRITE=true to allow changes)" });
      return true;
    }
    req.url = req.url!.slice(DASHBOARD_PATH.length) || "/";
    app(req, res, (error?: unknown) => {
      if (error) log.error({ err: (error as Error).message ?? String(error), path }, "dashboard request failed");
      sendJson(res, error ? 500 : 404, { error: error ? "dashboard error" : "not found" });
    });
    return true;
  };
}
