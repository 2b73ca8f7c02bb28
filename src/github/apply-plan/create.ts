/**
 * A new finding: file its issue. Looked for by its fingerprint marker before a repeat (the write
 * path), and filed without assignees when GitHub refuses one (not a collaborator, renamed): the
 * issue matters more than the assignment. Found again by its whole identity (fingerprint and, filed
 * centrally, source): in a central repository two sources may share a fingerprint.
 */
import { readFindingMarkers } from "../../issues/marker.js";
import type { IssueAction } from "../../issues/plan-issues.js";
import { findRecentKeywardenIssue, WriteFailed, type CreateOutcome } from "../issues-gateway/index.js";
import { where, type ActionContext } from "./action-context.js";

export type CreateAction = Extract<IssueAction, { kind: "create" }>;

function sameIdentity(body: string, action: CreateAction): boolean {
  const markers = readFindingMarkers(body);
  return markers?.fingerprint === action.fingerprint && markers.source === action.source;
}

export async function createIssue(ctx: ActionContext, action: CreateAction): Promise<void> {
  const outcome: CreateOutcome<number> = {
    read: (response) => Number(response.data.number),
    find: async () => (await findRecentKeywardenIssue(ctx.client, ctx.repo, ctx.login, (i) => sameIdentity(i.body, action)))?.number,
  };
  const send = (assignees: string[]) =>
    ctx.writes.create(
      "POST /repos/{owner}/{repo}/issues",
      { ...where(ctx.repo), title: action.title, body: action.body, labels: action.labels, ...(assignees.length ? { assignees } : {}) },
      outcome,
    );
  let number: number;
  try {
    number = await send(action.assignees);
  } catch (error) {
    if (!(error instanceof WriteFailed && error.failure.status === 422 && action.assignees.length)) throw error;
    ctx.record.warning({ action: "create", fingerprint: action.fingerprint, status: 422, message: `assignees not applied: ${error.failure.message}` });
    number = await send([]);
  }
  ctx.record.applied("created", { fingerprint: action.fingerprint, number });
}
