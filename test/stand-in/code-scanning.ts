/**
 * Code scanning's SARIF upload (`POST /repos/{o}/{r}/code-scanning/sarifs`) as GitHub checks it
 * before accepting it for processing: `commit_sha` 40 hex digits and `ref` a `refs/...` name
 * (422 otherwise), `sarif` gzip-compressed then base64-encoded JSON (400 "Bad Request if the sarif
 * field is invalid" when it does not decode, as GitHub's API description says), at most 10 MB
 * gzipped (413). An accepted upload answers 202 `{ id, url }` and its status reads `complete` at
 * once (GitHub processes it in the background). The decoded SARIF is kept for tests to read.
 */
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { fail, reply, type ApiReply } from "./http-reply.js";
import { isoSeconds, localExample, type Json, type Site } from "./shapes.js";

const gunzipAsync = promisify(gunzip);

export const MAX_GZIPPED_SARIF_BYTES = 10 * 1024 * 1024;
export const NOT_ENABLED_MESSAGE = "Advanced Security must be enabled for this repository to use code scanning.";

export interface StoredSarif {
  id: string;
  commitSha: string;
  ref: string;
  toolName: string | null;
  /** The SARIF as decoded from gzip + base64. */
  sarif: Json;
  /** Bytes of the gzip-compressed upload. */
  gzippedBytes: number;
  receivedAt: string;
}

function invalid(detail: string): ApiReply {
  return reply(422, { message: `Invalid request.\n\n${detail}`, documentation_url: "https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data", status: "422" });
}

/** Decode and store an upload, or GitHub's refusal. */
export async function receiveSarif(store: StoredSarif[], body: Json, nowMs: number, site: Site, fullName: string): Promise<ApiReply> {
  const b = body ?? {};
  const missing = ["commit_sha", "ref", "sarif"].filter((k) => b[k] === undefined);
  if (missing.length) return invalid(`${missing.map((k) => `"${k}"`).join(", ")} ${missing.length > 1 ? "weren't" : "wasn't"} supplied.`);
  if (typeof b.commit_sha !== "string" || !/^[0-9a-fA-F]{40}$/.test(b.commit_sha)) return invalid(`${JSON.stringify(b.commit_sha)} is not a valid commit_sha (40 hex digits).`);
  if (typeof b.ref !== "string" || !/^refs\/(heads|tags|pull)\/[^\s]+$/.test(b.ref)) return invalid(`${JSON.stringify(b.ref)} is not a valid ref (refs/heads/<branch>, refs/tags/<tag> or refs/pull/<n>/head|merge).`);
  if (b.tool_name !== undefined && typeof b.tool_name !== "string") return invalid(`"tool_name" is not a string.`);
  if (typeof b.sarif !== "string" || !/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(b.sarif)) return fail(400, "Invalid sarif: not base64-encoded gzip data");
  const gzipped = Buffer.from(b.sarif, "base64");
  if (gzipped.length > MAX_GZIPPED_SARIF_BYTES) return fail(413, "Payload Too Large: the gzip-compressed SARIF is over 10 MB");
  let sarif: Json;
  try {
    sarif = JSON.parse((await gunzipAsync(gzipped)).toString("utf8"));
  } catch {
    return fail(400, "Invalid sarif: not base64-encoded gzip-compressed JSON");
  }
  const id = randomUUID();
  store.push({ id, commitSha: b.commit_sha, ref: b.ref, toolName: b.tool_name ?? null, sarif, gzippedBytes: gzipped.length, receivedAt: isoSeconds(nowMs) });
  const example = localExample("code-scanning-sarif-upload", site);
  return reply(202, { ...example, id, url: `${site.api}/repos/${fullName}/code-scanning/sarifs/${id}` });
}

export function sarifStatusJson(upload: StoredSarif, site: Site, fullName: string): Json {
  return {
    ...localExample("code-scanning-sarif-upload-status", site),
    processing_status: "complete",
    analyses_url: `${site.api}/repos/${fullName}/code-scanning/analyses?sarif_id=${upload.id}`,
    errors: null,
  };
}
