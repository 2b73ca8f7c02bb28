/** GitHub's own example payloads (@octokit/webhooks-examples), and signed delivery over HTTP. */
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware } from "probot";
import { keywardenApp } from "../../src/app/keywarden-app.js";
import { operationsRoutes } from "../../src/app/routes/operations.js";
import { Readiness } from "../../src/jobs/readiness.js";
import type { Queues } from "../../src/jobs/queues.js";
import { captureLog, createTestProbot } from "./probot.js";

const require = createRequire(import.meta.url);
const catalogue = require("@octokit/webhooks-examples/api.github.com/index.json") as {
  name: string;
  examples: Record<string, any>[];
}[];

/** A deep copy of GitHub's first example of `event` that satisfies `match`. */
export function examplePayload(event: string, match: (p: Record<string, any>) => boolean = () => true): Record<string, any> {
  const found = catalogue.find((e) => e.name === event)?.examples.find(match);
  if (!found) throw new Error(`no ${event} example matches`);
  return structuredClone(found);
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export async function deliver(baseUrl: string, event: string, payload: unknown, secret: string, path = "/api/github/webhooks") {
  const body = JSON.stringify(payload);
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": sign(secret, body),
    },
    body,
  });
}

/**
 * The real Keywarden app behind Probot's Node middleware on a local HTTP server, as GitHub reaches
 * it: signed deliveries to `baseUrl` go through signature checks and the handlers to `queues`.
 */
export async function serveApp(queues: Queues): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const probot = createTestProbot(captureLog().logger);
  // Health and metrics routes with no readiness checks (the process-level tests ask real ones).
  const middleware = await createNodeMiddleware(keywardenApp(queues, () => operationsRoutes(new Readiness({}))), { probot });
  const server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
