/**
 * The one rule for "is this Keywarden's": written by the app's own bot user, `SLUG[bot]`. Not "any
 * Bot": another app's issue that carries a marker (or a ticked re-scan box) is that app's, and
 * Keywarden must neither count it, edit it nor close it. Not a marker alone: a person can paste one.
 * Only apps have logins ending in `[bot]`, so the login names exactly one app; GitHub compares
 * logins without regard to case, and so does this.
 */

/** The login of the app's bot user, the author of everything Keywarden writes. */
export function botLogin(appSlug: string): string {
  return `${appSlug}[bot]`;
}

/** True when `author` (an issue's or comment's `user`) is the app's bot user `login`. */
export function isKeywardens(author: { login?: unknown } | null | undefined, login: string): boolean {
  return typeof author?.login === "string" && author.login.toLowerCase() === login.toLowerCase();
}
