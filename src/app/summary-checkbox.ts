/**
 * The "Re-scan all repositories now" checkbox in the weekly summary: a person ticks it, GitHub sends
 * `issues.edited`, we queue an audit of that installation and untick the box so it can be used again.
 */
import type { Context } from "probot";
import { enqueueAudit, type Queues } from "../jobs/queues.js";
import { isRescanRequested, untickRescan } from "../summary/render.js";

const SUMMARY_MARKER = "<!-- keywarden:summary ";

export async function handleSummaryEdit(context: Context<"issues.edited">, queues: Queues): Promise<void> {
  const { issue, installation, sender } = context.payload;
  const body = issue.body ?? "";
  // Our own untick edit comes back as a webhook too; only a person's tick counts. Only an app's
  // issue can be a summary: a person who pastes the marker into their own issue gets no audit and
  // no edit of their issue (the same rule as src/github/summary/post.ts).
  if (sender.type === "Bot" || issue.user?.type !== "Bot" || !body.includes(SUMMARY_MARKER) || !isRescanRequested(body)) return;
  if (!installation) throw new Error(`summary issue #${issue.number} edit carries no installation id`);
  await enqueueAudit(queues, { installationId: installation.id, force: true });
  await context.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    ...context.repo(),
    issue_number: issue.number,
    body: untickRescan(body),
  });
  context.log.info({ installation: installation.id, issue: issue.number }, "re-scan requested from the summary; audit queued");
}
