/** GitHub's own example payloads (@octokit/webhooks-examples), and signed delivery over HTTP. */
import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";

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
