/**
 * The stand-in's one HTTP server (node:http on 127.0.0.1, a random port), laid out as a GitHub
 * Enterprise Server is: REST under `/api/v3`, GraphQL at `/api/graphql`, git smart HTTP at
 * `/OWNER/REPO.git/...`. Per request, in order: record it, check credentials, meet a fault if one is
 * due, check the rate limit, answer. Every request lands in `requests` with its outcome, so tests
 * count reads and writes without instrumenting Keywarden.
 *
 * `events` emits `request` when a request arrives and `reply` once it has been answered or dropped,
 * each with its record, so tests await a condition instead of polling. `hold(matcher)`
 * keeps the next matching request waiting, before faults and the answer, until `release()`.
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Faults, matches, type FaultKind, type FaultMatcher, type FaultTarget, type RequestScope } from "./faults.js";
import { parseGitPath, runHttpBackend, sendGitText } from "./git-http.js";
import { answerGraphql } from "./graphql.js";
import { fail, sendApi, type ApiReply } from "./http-reply.js";
import { RateLimits, rateHeaders, type RateResource } from "./rate-limit.js";
import { routeRest } from "./rest.js";
import type { Json } from "./shapes.js";
import type { Caller, World } from "./world.js";

export interface RecordedRequest {
  /** Epoch milliseconds when the request arrived. */
  at: number;
  method: string;
  /** GitHub's path without `/api/v3` and without the query (`/graphql` for GraphQL). */
  path: string;
  /** Path and query as sent. */
  url: string;
  scope: RequestScope;
  graphql: boolean;
  /** Changes state: a REST POST/PATCH/PUT/DELETE, or token minting. */
  write: boolean;
  auth: "none" | "jwt" | "installation" | "rejected";
  /** Repository name, for repository requests (REST and git). */
  repo?: string;
  /** Parsed JSON body of API requests that carry one. */
  body?: Json;
  /** Status sent; 0 while pending or when the connection was dropped. */
  status: number;
  fault?: FaultKind;
}

const SECONDARY_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ";

function classify(method: string, url: URL): FaultTarget & { graphql: boolean; apiPath?: string } {
  const pathname = url.pathname;
  const asSent = `${pathname}${url.search}`;
  if (pathname === "/api/graphql") return { method, path: "/graphql", url: asSent, scope: "api", write: false, graphql: true };
  if (pathname === "/api/v3" || pathname.startsWith("/api/v3/")) {
    const apiPath = pathname.slice("/api/v3".length) || "/";
    const tokens = method === "POST" && /^\/app\/installations\/[^/]+\/access_tokens$/.test(apiPath);
    return {
      method,
      path: apiPath,
      url: asSent,
      scope: tokens ? "tokens" : "api",
      write: method !== "GET" && method !== "HEAD",
      graphql: false,
      apiPath,
    };
  }
  return { method, path: pathname, url: asSent, scope: "git", write: false, graphql: false };
}

function authKind(caller: Caller): RecordedRequest["auth"] {
  return caller.kind === "app" ? "jwt" : caller.kind;
}

function rateIdentity(world: World, caller: Caller): string {
  if (caller.kind === "app") return `app:${world.options.appId}`;
  if (caller.kind === "installation") return `installation:${caller.token.installationId}`;
  return "anonymous";
}

/** A request kept waiting by `hold` until released. */
export interface Hold {
  /** Resolves with the held request's record once it arrived. */
  readonly arrived: Promise<RecordedRequest>;
  /** Let it go on (before or after it arrived). */
  release(): void;
}

interface PendingHold {
  matcher: FaultMatcher;
  arrive(record: RecordedRequest): void;
  released: Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function faultReply(kind: FaultKind, retryAfter: number): ApiReply {
  switch (kind) {
    case "500":
      return fail(500, "Server Error");
    case "secondary":
      return fail(403, `${SECONDARY_MESSAGE}${Math.random().toString(16).slice(2, 10).toUpperCase()}.`, { "retry-after": String(retryAfter) });
    case "429":
      return fail(429, `${SECONDARY_MESSAGE}${Math.random().toString(16).slice(2, 10).toUpperCase()}.`, { "retry-after": String(retryAfter) });
    default:
      return { status: 502, json: { message: "Server Error" } };
  }
}

function segmentsOf(apiPath: string): string[] | undefined {
  try {
    return apiPath.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

export class StandInServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Faults;
  readonly rate: RateLimits;
  /** `request` and `reply`, each with the request's record. */
  readonly events = new EventEmitter();
  private readonly holds: PendingHold[] = [];
  private readonly releases: (() => void)[] = [];
  private readonly recordOf = new WeakMap<IncomingMessage, RecordedRequest>();
  private readonly server: Server;
  private origin = "";

  constructor(
    private readonly world: () => World,
    seed: number,
    rateLimit: { limit?: number; windowSeconds?: number } = {},
  ) {
    this.faults = new Faults(seed);
    this.rate = new RateLimits(rateLimit);
    this.server = createServer((req, res) => {
      this.handle(req, res)
        .catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end(`stand-in failure: ${(error as Error).stack}`);
          else res.destroy();
        })
        .finally(() => {
          const record = this.recordOf.get(req);
          if (record) this.events.emit("reply", record);
        });
    });
    // A dropped connection must look dropped, not "server closed an idle keep-alive socket".
    this.server.keepAliveTimeout = 30_000;
  }

  /** Keep the next request `matcher` accepts waiting until `release()`. */
  hold(matcher: FaultMatcher): Hold {
    let arrive!: (record: RecordedRequest) => void;
    let release!: () => void;
    const arrived = new Promise<RecordedRequest>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ matcher, arrive, released });
    this.releases.push(release);
    return { arrived, release };
  }

  private async waitIfHeld(target: FaultTarget, record: RecordedRequest): Promise<void> {
    const index = this.holds.findIndex((h) => matches(h.matcher, target));
    if (index < 0) return;
    const [held] = this.holds.splice(index, 1);
    held!.arrive(record);
    await held!.released;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.origin;
  }

  close(): Promise<void> {
    this.holds.length = 0;
    for (const release of this.releases) release();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const world = this.world();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", this.origin);
    const target = classify(method, url);
    const caller = world.caller(req.headers.authorization);
    const record: RecordedRequest = {
      at: Date.now(),
      method,
      path: target.path,
      url: target.url,
      scope: target.scope,
      graphql: target.graphql,
      write: target.write,
      auth: authKind(caller),
      status: 0,
    };
    this.requests.push(record);
    this.recordOf.set(req, record);
    this.events.emit("request", record);
    if (target.scope === "git") {
      await this.waitIfHeld(target, record);
      return this.handleGit(req, res, world, caller, target, record);
    }

    const raw = await readBody(req);
    let body: Json;
    let unparsable = false;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString("utf8"));
        record.body = body;
      } catch {
        unparsable = true;
      }
    }
    const segments = target.apiPath === undefined ? undefined : segmentsOf(target.apiPath);
    if (segments?.[0] === "repos" && segments[2]) record.repo = segments[2];
    if (segments?.[0] === "repositories" && segments[1]) record.repo = world.findRepoById(Number(segments[1]))?.name;
    await this.waitIfHeld(target, record);

    const fault = this.faults.decide(target);
    if (fault) record.fault = fault;
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }

    const resource: RateResource = target.graphql ? "graphql" : "core";
    const identity = rateIdentity(world, caller);
    const rate = (status: number) => {
      const state = status === 304 ? this.rate.peek(identity, resource, world.now()) : this.rate.charge(identity, resource, world.now());
      return rateHeaders(state);
    };
    const send = (r: ApiReply) => {
      record.status = sendApi(req, res, r, rate);
    };

    if (fault && fault !== "applied-then-502") return send(faultReply(fault, this.faults.retryAfterSeconds));
    const budget = this.rate.peek(identity, resource, world.now());
    if (budget.exhausted) {
      const who = caller.kind === "installation" ? `installation ID ${caller.token.installationId}` : caller.kind === "app" ? `app ID ${world.options.appId}` : "127.0.0.1";
      return send(fail(403, `API rate limit exceeded for ${who}.`));
    }
    let answer: ApiReply;
    if (unparsable) answer = fail(400, "Problems parsing JSON");
    else if (target.graphql) answer = await this.graphql(world, caller, method, body);
    else if (segments === undefined) answer = fail(400, "Bad request");
    else {
      answer = await routeRest(world, {
        method,
        segments,
        query: url.searchParams,
        body,
        accept: String(req.headers.accept ?? ""),
        caller,
      });
    }
    // The write happened; the reply is lost on the way back.
    if (fault === "applied-then-502") answer = faultReply("502", 0);
    send(answer);
  }

  private async graphql(world: World, caller: Caller, method: string, body: Json): Promise<ApiReply> {
    if (method !== "POST") return fail(404, "Not Found");
    if (caller.kind === "none") return fail(401, "This endpoint requires you to be authenticated.");
    if (caller.kind === "rejected") return fail(401, caller.message);
    if (caller.kind === "app") return fail(403, "Resource not accessible by integration");
    const token = caller.token;
    return answerGraphql(body, (nodeId) => {
      const repo = [...world.repos.values()].find((r) => r.nodeId === nodeId);
      return repo && world.covers(token, repo) ? { nodeId, head: () => world.head(repo) } : undefined;
    });
  }

  private async handleGit(req: IncomingMessage, res: ServerResponse, world: World, caller: Caller, target: FaultTarget, record: RecordedRequest): Promise<void> {
    const where = parseGitPath(new URL(req.url ?? "/", this.origin).pathname);
    const repo = where ? world.findRepo(where.owner, where.repo) : undefined;
    if (repo) {
      record.repo = repo.name;
      repo.git.requests++;
    }
    const fault = this.faults.decide(target);
    if (fault) record.fault = fault;
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault) {
      const status = fault === "secondary" ? 403 : fault === "429" ? 429 : fault === "500" ? 500 : 502;
      record.status = sendGitText(res, status, status === 502 ? "Bad Gateway" : "Server Error", status < 500 ? { "retry-after": String(this.faults.retryAfterSeconds) } : {});
      return;
    }
    if (!where || where.service === "/git-receive-pack" || new URL(req.url ?? "/", this.origin).searchParams.get("service") === "git-receive-pack") {
      record.status = sendGitText(res, where ? 403 : 404, where ? "Pushes are not accepted here: use the stand-in's commit()" : "Not Found");
      return;
    }
    // Git sends the token as Basic `x-access-token:TOKEN` (any user name works on GitHub).
    const allowed =
      caller.kind === "installation" && repo !== undefined && world.covers(caller.token, repo) && world.allows(caller.token, "contents", "read");
    if (!allowed) {
      if (repo) repo.git.refused++;
      record.status = sendGitText(res, 401, "Authentication failed", { "www-authenticate": 'Basic realm="GitHub"' });
      return;
    }
    const url = new URL(req.url ?? "/", this.origin);
    const pathInfo = `/${repo.owner}/${repo.name}.git${where.service}`;
    record.status = await runHttpBackend(req, res, world.root, pathInfo, repo.git, url.search.slice(1));
  }
}
