/** A finding still present whose issue text changed: edit the body, nothing else (no comment). */
import type { IssueAction } from "../../issues/plan-issues.js";
import { where, type ActionContext } from "./action-context.js";

export type UpdateAction = Extract<IssueAction, { kind: "update" }>;

export async function updateIssue(ctx: ActionContext, action: UpdateAction): Promise<void> {
  await ctx.writes.send("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...where(ctx.repo), issue_number: action.issueNumber, body: action.body });
  ctx.record.applied("updated", { fingerprint: action.fingerprint, number: action.issueNumber });
}
