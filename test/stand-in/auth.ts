/**
 * GitHub App authentication as GitHub enforces it, so a process-level test fails when Keywarden
 * signs with the wrong key, reuses an expired token, or sends a clone token narrowed to one
 * repository anywhere else:
 * - the app's JWT (RS256) is verified with the app's public key (node:crypto, no dependency), `iss`
 *   must be the app id, and `iat`/`exp` are checked with GitHub's 60 s of clock skew and its 10
 *   minute maximum lifetime, with GitHub's own messages (@octokit/auth-app matches on them to
 *   correct a skewed clock);
 * - installation tokens are random `ghs_` + 36 characters, expire after a TTL, and may be narrowed
 *   to repositories and permissions. Every minted token is remembered so a test can prove that none
 *   reached the child process's output.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";

export const CLOCK_SKEW_SECONDS = 60;
const MAX_JWT_LIFETIME_SECONDS = 600;

export type Permissions = Record<string, "read" | "write" | "admin">;

export type JwtCheck = { ok: true } | { ok: false; message: string };

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

/** Verify an app JWT the way GitHub does; `nowSeconds` is the server's clock. */
export function verifyAppJwt(jwt: string, publicKey: KeyObject, appId: number, nowSeconds: number): JwtCheck {
  const undecodable: JwtCheck = { ok: false, message: "A JSON web token could not be decoded" };
  const parts = jwt.split(".");
  if (parts.length !== 3) return undecodable;
  const [header, payload, signature] = parts as [string, string, string];
  let head: { alg?: unknown };
  let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
  try {
    head = decodeSegment(header) as typeof head;
    claims = decodeSegment(payload) as typeof claims;
  } catch {
    return undecodable;
  }
  if (head.alg !== "RS256") return undecodable;
  const signed = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, "base64url"));
  if (!signed) return undecodable;
  if (String(claims.iss) !== String(appId)) return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
  if (!Number.isInteger(claims.iat) || (claims.iat as number) > nowSeconds + CLOCK_SKEW_SECONDS) {
    return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued" };
  }
  if (!Number.isInteger(claims.exp) || (claims.exp as number) < nowSeconds - CLOCK_SKEW_SECONDS) {
    return {
      ok: false,
      message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  }
  if ((claims.exp as number) > nowSeconds + MAX_JWT_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  }
  return { ok: true };
}

export function toPublicKey(key: string | KeyObject): KeyObject {
  return typeof key === "string" ? createPublicKey(key) : key;
}

export interface IssuedToken {
  token: string;
  installationId: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Repository names the token is narrowed to; undefined: every repository of the installation. */
  repositories: string[] | undefined;
  permissions: Permissions;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `ghs_` and 36 random alphanumerics, GitHub's installation token format. */
export function newInstallationToken(): string {
  const bytes = randomBytes(36);
  let body = "";
  for (const byte of bytes) body += ALPHABET[byte % ALPHABET.length];
  return `ghs_${body}`;
}

const LEVEL = { read: 1, write: 2, admin: 3 } as const;

/** Whether `granted` allows `needed` on `permission` (`metadata: read` is implied, as on GitHub). */
export function allows(granted: Permissions, permission: string, needed: "read" | "write"): boolean {
  if (permission === "metadata" && needed === "read") return true;
  const level = granted[permission];
  return level !== undefined && LEVEL[level] >= LEVEL[needed];
}

export class TokenStore {
  /** Every token minted, in order, never forgotten (expired ones too). */
  readonly issued: IssuedToken[] = [];
  private readonly byToken = new Map<string, IssuedToken>();

  constructor(private readonly ttlSeconds: number) {}

  mint(installationId: number, nowMs: number, repositories: string[] | undefined, permissions: Permissions): IssuedToken {
    const issued: IssuedToken = {
      token: newInstallationToken(),
      installationId,
      expiresAt: nowMs + this.ttlSeconds * 1000,
      repositories,
      permissions,
    };
    this.issued.push(issued);
    this.byToken.set(issued.token, issued);
    return issued;
  }

  /** The live token, or why it is refused. */
  check(token: string, nowMs: number): IssuedToken | "unknown" | "expired" {
    const found = this.byToken.get(token);
    if (!found) return "unknown";
    return found.expiresAt <= nowMs ? "expired" : found;
  }

  /** Make every token minted so far expired now (tests of expiry need no sleep). */
  expireAll(nowMs: number): void {
    for (const t of this.issued) t.expiresAt = Math.min(t.expiresAt, nowMs);
  }
}

export type Credentials =
  | { kind: "none" }
  | { kind: "jwt"; jwt: string }
  | { kind: "token"; token: string }
  | { kind: "basic"; username: string; password: string }
  | { kind: "malformed" };

/** Read an Authorization header: `Bearer JWT`, `token ghs_...`, `Bearer ghs_...`, or `Basic ...`. */
export function readCredentials(header: string | undefined): Credentials {
  if (!header) return { kind: "none" };
  const match = /^(\w+)\s+(\S+)\s*$/.exec(header);
  if (!match) return { kind: "malformed" };
  const scheme = match[1]!.toLowerCase();
  const value = match[2]!;
  if (scheme === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { kind: "malformed" };
    return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (scheme !== "bearer" && scheme !== "token") return { kind: "malformed" };
  return value.split(".").length === 3 ? { kind: "jwt", jwt: value } : { kind: "token", token: value };
}
