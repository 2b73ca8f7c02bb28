/**
 * The app's slug and its bot user's login (`SLUG[bot]`, the author of everything Keywarden writes).
 * Asked of GitHub once per process: it never changes while the app's credentials stay the same.
 */
import type { Probot } from "probot";
import { botLogin } from "./issues-gateway/ownership.js";

const slugs = new WeakMap<Probot, Promise<string>>();

export function appSlug(probot: Probot): Promise<string> {
  let slug = slugs.get(probot);
  if (!slug) {
    slug = probot.auth().then(async (app) => {
      const { data } = await app.request("GET /app");
      if (!data?.slug) throw new Error("GET /app returned no slug: check APP_ID and PRIVATE_KEY");
      return data.slug;
    });
    // A failed lookup must not be cached: the next job asks again.
    slug.catch(() => slugs.delete(probot));
    slugs.set(probot, slug);
  }
  return slug;
}

/** The app's bot login, `SLUG[bot]`: the one rule for "is this Keywarden's" compares with it. */
export async function appBotLogin(probot: Probot): Promise<string> {
  return botLogin(await appSlug(probot));
}
