/**
 * A worker-only process (`keywarden serve --role worker`) has no Probot server: it answers /healthz,
 * /readyz and /metrics on a server of its own, on KEYWARDEN_WORKER_PORT (default 3001) at HOST.
 */
import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { SettingsError } from "../config/settings.js";
import { sendJson, type Route } from "./routes/http.js";

export interface OperationsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOperationsServer(route: Route, options: { port: number; host: string; log: Logger }): Promise<OperationsServer> {
  const server: Server = createServer((req, res) => {
    try {
      if (!route(req, res)) sendJson(res, 404, { error: "not found" });
    } catch (error) {
      options.log.error({ err: (error as Error).message }, "operations request failed");
      sendJson(res, 500, { error: "internal error" });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new SettingsError("KEYWARDEN_WORKER_PORT", `port ${options.port} is already in use`) : error),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  options.log.info({ port, host: options.host }, `operations endpoints listening on http://${options.host}:${port} (/healthz, /readyz, /metrics)`);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
