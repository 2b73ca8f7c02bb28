/**
 * git's smart HTTP protocol for the stand-in's repositories: `git http-backend` as a CGI child per
 * request (the server's event loop is never blocked, or the clone it serves would deadlock), with
 * partial clone enabled as on GitHub (`uploadpack.allowFilter`, `allowAnySHA1InWant`). Only fetches
 * are served; pushes go through the stand-in's `commit` helper. Each repository counts its git
 * requests, the bytes served, and the fetches that asked for `filter blob:none`, for benchmarks.
 * Learned from test/helpers/git-http-server.ts, plus auth and accounting.
 */
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";

const gunzipAsync = promisify(gunzip);

export interface GitStats {
  /** Every git HTTP request for the repository, refused ones included. */
  requests: number;
  /** `git-upload-pack` POSTs (ref listings and pack negotiations). */
  uploadPacks: number;
  /** Upload-pack requests whose body asked for `filter blob:none`. */
  bloblessRequests: number;
  /** Response body bytes sent by http-backend. */
  bytesServed: number;
  /** Requests answered 401. */
  refused: number;
}

export function newGitStats(): GitStats {
  return { requests: 0, uploadPacks: 0, bloblessRequests: 0, bytesServed: 0, refused: 0 };
}

export interface GitPath {
  owner: string;
  repo: string;
  /** `/info/refs`, `/git-upload-pack` or `/git-receive-pack`. */
  service: string;
}

/** `/OWNER/REPO(.git)/info/refs` and friends; undefined for anything that is not smart HTTP. */
export function parseGitPath(pathname: string): GitPath | undefined {
  const match = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/info\/refs|\/git-upload-pack|\/git-receive-pack)$/.exec(pathname);
  if (!match) return undefined;
  return { owner: decodeURIComponent(match[1]!), repo: decodeURIComponent(match[2]!), service: match[3]! };
}

export function sendGitText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): number {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers }).end(`${text}\n`);
  return status;
}

const SERVER_CONFIG: [string, string][] = [
  ["uploadpack.allowFilter", "true"],
  ["uploadpack.allowAnySHA1InWant", "true"],
  ["http.receivepack", "false"],
];

/** Run http-backend for `pathInfo` (relative to `projectRoot`); resolves the status sent. */
export function runHttpBackend(req: IncomingMessage, res: ServerResponse, projectRoot: string, pathInfo: string, stats: GitStats, query: string): Promise<number> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: "/nonexistent",
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_COUNT: String(SERVER_CONFIG.length),
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_ADDR: "127.0.0.1",
      REMOTE_USER: "x-access-token",
    };
    SERVER_CONFIG.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
    const cgi = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
    const isUploadPack = pathInfo.endsWith("/git-upload-pack");
    if (isUploadPack) stats.uploadPacks++;

    // Tee (a bounded prefix of) the request to spot `filter blob:none` without slowing the pipe.
    const seen: Buffer[] = [];
    let seenBytes = 0;
    req.on("data", (chunk: Buffer) => {
      if (isUploadPack && seenBytes < 1 << 20) {
        seen.push(chunk);
        seenBytes += chunk.length;
      }
    });
    req.on("end", () => {
      if (!isUploadPack) return;
      const body = Buffer.concat(seen);
      const gzipped = /gzip/i.test(String(req.headers["content-encoding"] ?? ""));
      (gzipped ? gunzipAsync(body) : Promise.resolve(body))
        .then((plain) => {
          if (plain.includes("filter blob:none")) stats.bloblessRequests++;
        })
        .catch(() => undefined);
    });
    cgi.stdin.on("error", () => undefined);
    req.pipe(cgi.stdin);
    res.on("close", () => {
      if (cgi.exitCode === null) cgi.kill("SIGKILL");
    });

    let head = Buffer.alloc(0);
    let status: number | undefined;
    let stderr = "";
    cgi.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (status !== undefined) {
        stats.bytesServed += chunk.length;
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString().split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      const rest = head.subarray(end + 4);
      stats.bytesServed += rest.length;
      res.write(rest);
    });
    cgi.on("error", (error) => {
      if (status === undefined) status = sendGitText(res, 500, `git http-backend failed: ${error.message}`);
      resolve(status);
    });
    cgi.on("close", () => {
      if (status === undefined) status = sendGitText(res, 500, `git http-backend failed: ${stderr.trim()}`);
      else res.end();
      resolve(status);
    });
  });
}
