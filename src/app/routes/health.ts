/**
 * `GET /healthz`: the process is alive (it answers; nothing else is asked). `GET /readyz`: Redis
 * answers and the GitHub App's credentials work, else 503 naming what fails:
 * `{"ok":false,"failing":["redis"],"checks":{"redis":{"ok":false,"error":"..."},"github":{"ok":true}}}`.
 * Both unauthenticated and cheap (see src/jobs/readiness.ts).
 */
import type { Readiness } from "../../jobs/readiness.js";
import { isRead, pathOf, sendJson, type Route } from "./http.js";

export function healthRoutes(readiness: Readiness): Route {
  return (req, res) => {
    const path = pathOf(req);
    if (!isRead(req) || (path !== "/healthz" && path !== "/readyz")) return false;
    if (path === "/healthz") {
      sendJson(res, 200, { ok: true });
      return true;
    }
    readiness.report().then(
      (report) => sendJson(res, report.ok ? 200 : 503, report),
      (error: unknown) => sendJson(res, 503, { ok: false, failing: ["readiness"], error: (error as Error).message }),
    );
    return true;
  };
}
