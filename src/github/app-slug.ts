/**
 * The app's id, slug and its bot user's login (`SLUG[bot]`, the author of everything Keywarden
 * writes). Asked of GitHub once per process: they never change while the app's credentials stay the
 * same.
 */
import type { Probot } from "probot";
import { botLogin } from "./issues-gateway/ownership.js";

export interface AppIdentity {
  id: number;
  slug: string;
}

const identities = new WeakMap<Probot, Promise<AppIdentity>>();

export function appIdentity(probot: Probot): Promise<AppIdentity> {
  let identity = identities.get(probot);
  if (!identity) {
    identity = probot.auth().then(async (app) => {
      const { data } = await app.request("GET /app");
      if (!data?.slug || typeof data.id !== "number") throw new Error("GET /app returned no id or slug: check APP_ID and PRIVATE_KEY");
      return { id: data.id, slug: data.slug };
    });
    // A failed lookup must not be cached: the next job asks again.
    identity.catch(() => identities.delete(probot));
    identities.set(probot, identity);
  }
  return identity;
}

export async function appSlug(probot: Probot): Promise<string> {
  return (await appIdentity(probot)).slug;
}

/** The app's bot login, `SLUG[bot]`: the one rule for "is this Keywarden's" compares with it. */
export async function appBotLogin(probot: Probot): Promise<string> {
  return botLogin(await appSlug(probot));
}
