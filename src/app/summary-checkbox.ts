/**
 * The "Re-scan all repositories now" checkbox in the weekly summary: a person ticks it, GitHub sends
 * `issues.edited`, we queue an audit of that installation and untick the box so it can be used again.
 */
import type { Context } from "probot";
import { isKeywardens } from "../github/issues-gateway/index.js";
import { enqueueAudit, type Queues } from "../jobs/queues.js";
import { isRescanRequested, readSummaryWeek, untickRescan } from "../summary/render.js";

/**
 * `botLogin` resolves to the app's bot login, `SLUG[bot]` (src/github/app-slug.ts `appBotLogin`):
 * asked only for an edit that could be a tick in a summary.
 */
export async function handleSummaryEdit(context: Context<"issues.edited">, queues: Queues, botLogin: () => Promise<string>): Promise<void> {
  const { issue, installation, sender } = context.payload;
  const body = issue.body ?? "";
  // Our own untick edit comes back as a webhook too; only a person's tick counts.
  if (sender.type === "Bot" || !readSummaryWeek(body) || !isRescanRequested(body)) return;
  // Only Keywarden's own issue is a summary (the gateway's one rule, as in src/github/summary/post.ts):
  // a person or another app that pastes the marker gets no audit and no edit of their issue.
  if (!isKeywardens(issue.user, await botLogin())) return;
  if (!installation) throw new Error(`summary issue #${issue.number} edit carries no installation id`);
  await enqueueAudit(queues, { installationId: installation.id, force: true });
  await context.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    ...context.repo(),
    issue_number: issue.number,
    body: untickRescan(body),
  });
  context.log.info({ installation: installation.id, issue: issue.number }, "re-scan requested from the summary; audit queued");
}
