/**
 * What the operations routes share. A route is Probot 14's `addHandler` contract: it looks at the
 * request synchronously and returns true when the path is its own (answering later, asynchronously),
 * false to let the next handler (finally Probot's 404) have it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The request's path, without the query. */
export function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0]!;
}

export function isRead(req: IncomingMessage): boolean {
  return req.method === "GET" || req.method === "HEAD";
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers }).end(JSON.stringify(body));
}

/** The first of `routes` that claims the request. */
export function firstOf(...routes: Route[]): Route {
  return (req, res) => routes.some((route) => route(req, res));
}
