/** `GET /metrics`: this process's Prometheus metrics (src/jobs/metrics.ts), unauthenticated. */
import { METRICS_CONTENT_TYPE, metricsText } from "../../jobs/metrics.js";
import { isRead, pathOf, sendJson, type Route } from "./http.js";

export function metricsRoute(): Route {
  return (req, res) => {
    if (!isRead(req) || pathOf(req) !== "/metrics") return false;
    metricsText().then(
      (text) => res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : text),
      (error: unknown) => sendJson(res, 500, { error: (error as Error).message }),
    );
    return true;
  };
}
