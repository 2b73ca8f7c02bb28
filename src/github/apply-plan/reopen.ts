/** A regression: a finding back whose issue was closed as fixed. Reopen it, then say why. */
import type { IssueAction } from "../../issues/plan-issues.js";
import { commentOnce } from "../issues-gateway/index.js";
import { where, type ActionContext } from "./action-context.js";

export type ReopenAction = Extract<IssueAction, { kind: "reopen" }>;

export async function reopenIssue(ctx: ActionContext, action: ReopenAction): Promise<void> {
  await ctx.writes.send("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    ...where(ctx.repo),
    issue_number: action.issueNumber,
    state: "open",
    body: action.body,
  });
  ctx.record.applied("reopened", { fingerprint: action.fingerprint, number: action.issueNumber });
  await commentOnce(ctx.writes, ctx.client, ctx.repo, action.issueNumber, action.comment, ctx.login);
  ctx.record.commented();
}
