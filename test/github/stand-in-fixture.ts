/**
 * The GitHub stand-in in-process for tests of src/github/ modules: one installation granted what
 * the check-run and code-scanning work needs, an app client to mint tokens, and Keywarden's own
 * Octokit (plugin-retry and the POST rule of keywarden-octokit.ts, waits in milliseconds) on a
 * minted installation token.
 */
import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import type { InstallationOctokit } from "../../src/github/octokit/keywarden-octokit.js";
import { TestOctokit } from "../helpers/probot.js";
import { startStandIn, type Permissions, type StandIn } from "../stand-in/index.js";

export const OWNER = "octo-org";
export const APP_ID = 777;
export const INSTALLATION_ID = 8080;
export const GRANTED: Permissions = { metadata: "read", contents: "read", issues: "write", pull_requests: "read", checks: "write", security_events: "write" };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface Fixture {
  gh: StandIn;
  /** A token minted now (with the permissions granted now; `body` narrows it). */
  mint(body?: Record<string, unknown>): Promise<string>;
  /** Keywarden's Octokit on a token minted now. */
  client(body?: Record<string, unknown>): Promise<InstallationOctokit>;
}

export async function startFixture(): Promise<Fixture> {
  const keys = await promisify(generateKeyPair)("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const gh = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: "s", owner: OWNER, installationId: INSTALLATION_ID, appSlug: "keywarden", permissions: GRANTED });
  const app = new Octokit({ log: quiet, baseUrl: gh.apiUrl, authStrategy: createAppAuth, auth: { appId: APP_ID, privateKey: keys.privateKey } });
  const mint = async (body: Record<string, unknown> = {}) =>
    (await app.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: INSTALLATION_ID, ...body })).data.token;
  return {
    gh,
    mint,
    client: async (body) => new TestOctokit({ auth: { token: await mint(body) }, baseUrl: gh.apiUrl, log: quiet }) as unknown as InstallationOctokit,
  };
}
