/** The operations routes of a Keywarden process: health, readiness, metrics and (web side) the dashboard. */
import type { Readiness } from "../../jobs/readiness.js";
import { healthRoutes } from "./health.js";
import { firstOf, type Route } from "./http.js";
import { metricsRoute } from "./metrics.js";

export type { Route } from "./http.js";

export function operationsRoutes(readiness: Readiness, dashboard: Route = () => false): Route {
  return firstOf(healthRoutes(readiness), metricsRoute(), dashboard);
}
