/**
 * How the stand-in answers API requests, in the ways clients depend on without saying so:
 * - `Link` pagination exactly as GitHub writes it (the request's own query with `page` replaced,
 *   `prev`/`next`/`last`/`first` in GitHub's order, repository lists linked through
 *   `/repositories/{id}/...`), `per_page` defaulting to 30 and capped at 100;
 * - a weak `ETag` of the body on every 200 GET and `304 Not Modified` when `If-None-Match` matches;
 * - GitHub's headers on every reply (request id, media type, API version, rate limit).
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorJson, type Json } from "./shapes.js";

export interface ApiReply {
  status: number;
  /** A JSON body... */
  json?: Json;
  /** ...or a raw one (the contents API's raw media type). */
  raw?: { body: string | Buffer; contentType: string };
  headers?: Record<string, string>;
}

export function reply(status: number, json?: Json, headers?: Record<string, string>): ApiReply {
  return { status, json, ...(headers ? { headers } : {}) };
}

export function fail(status: number, message: string, headers?: Record<string, string>): ApiReply {
  return reply(status, errorJson(status, message), headers);
}

export const notFound = (): ApiReply => fail(404, "Not Found");

export function perPage(query: URLSearchParams): number {
  const n = Number.parseInt(query.get("per_page") ?? "", 10);
  if (!Number.isFinite(n) || n < 1) return 30;
  return Math.min(n, 100);
}

export function pageNumber(query: URLSearchParams): number {
  const n = Number.parseInt(query.get("page") ?? "", 10);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

/** One page of `items` and GitHub's `Link` header for it; `linkBase` is the absolute URL path. */
export function paginate<T>(items: T[], query: URLSearchParams, linkBase: string): { page: T[]; link?: string } {
  const size = perPage(query);
  const page = pageNumber(query);
  const last = Math.max(1, Math.ceil(items.length / size));
  const slice = items.slice((page - 1) * size, page * size);
  const url = (n: number) => {
    const q = new URLSearchParams(query);
    q.set("page", String(n));
    return `<${linkBase}?${q.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (page > 1) links.push(`${url(1)}; rel="first"`);
  return { page: slice, ...(links.length ? { link: links.join(", ") } : {}) };
}

/** A paginated JSON reply. */
export function pagedReply<T>(items: T[], query: URLSearchParams, linkBase: string, render: (item: T) => Json, wrap?: (page: Json[]) => Json): ApiReply {
  const { page, link } = paginate(items, query, linkBase);
  const rendered = page.map(render);
  return reply(200, wrap ? wrap(rendered) : rendered, link ? { link } : undefined);
}

function etagOf(body: Buffer): string {
  return `W/"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
}

function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim() === "*" || strip(candidate) === strip(etag));
}

/**
 * Write `r` to `res` with GitHub's headers; returns the status sent. `rate` is called once the
 * status is known (a 304 is not charged) and returns the rate-limit headers.
 */
export function sendApi(req: IncomingMessage, res: ServerResponse, r: ApiReply, rate: (status: number) => Record<string, string>): number {
  const body = r.raw ? Buffer.from(r.raw.body) : r.json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(r.json));
  const headers: Record<string, string> = {
    "x-github-request-id": randomUUID().toUpperCase().replace(/-/g, ":").slice(0, 32),
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
    "access-control-expose-headers": "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset",
    ...(body.length || r.raw ? { "content-type": r.raw ? r.raw.contentType : "application/json; charset=utf-8" } : {}),
    ...r.headers,
  };
  let status = r.status;
  if (req.method === "GET" && status === 200) {
    const etag = etagOf(body);
    headers.etag = etag;
    headers["cache-control"] = "private, max-age=60, s-maxage=60";
    headers.vary = "Accept, Authorization, Cookie, X-GitHub-OTP";
    if (ifNoneMatchHits(req.headers["if-none-match"], etag)) status = 304;
  }
  Object.assign(headers, rate(status));
  if (status === 304) {
    delete headers["content-type"];
    res.writeHead(304, headers).end();
  } else {
    headers["content-length"] = String(body.length);
    res.writeHead(status, headers).end(body);
  }
  return status;
}
