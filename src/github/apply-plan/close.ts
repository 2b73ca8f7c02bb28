/**
 * A finding gone (fixed, or suppressed in code): say why, then close. Comment first: closing without
 * saying why (the fixing commit, the suppression) is worse than a comment on an issue that a failed
 * close leaves open until the next run.
 */
import type { IssueAction } from "../../issues/plan-issues.js";
import { commentOnce } from "../issues-gateway/index.js";
import { where, type ActionContext } from "./action-context.js";

export type CloseAction = Extract<IssueAction, { kind: "close" }>;

export async function closeIssue(ctx: ActionContext, action: CloseAction): Promise<void> {
  await commentOnce(ctx.writes, ctx.client, ctx.repo, action.issueNumber, action.comment, ctx.login);
  ctx.record.commented();
  await ctx.writes.send("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    ...where(ctx.repo),
    issue_number: action.issueNumber,
    state: "closed",
    state_reason: action.reason,
    // A suppression's close also rewrites the body: its meta marker records the exception.
    ...(action.body !== undefined ? { body: action.body } : {}),
  });
  ctx.record.applied("closed", { fingerprint: action.fingerprint, number: action.issueNumber });
}
