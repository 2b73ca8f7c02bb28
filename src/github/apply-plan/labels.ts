/**
 * The labels a plan's creates use, made to exist before the first create, with colour and
 * description. A missing label without budget is left to GitHub, which creates it (grey) when the
 * issue uses it. One created meanwhile by someone else (422 already_exists) is fine.
 */
import type { LabelDefinition } from "../../issues/plan-issues.js";
import { describeFailure, type GitHubClient, type RepoRef } from "../requester.js";
import { failureOf, type WritePath } from "../issues-gateway/index.js";
import { where } from "./action-context.js";
import type { ApplyRecorder } from "./result.js";

export async function ensureLabels(client: GitHubClient, repo: RepoRef, writes: WritePath, labels: readonly LabelDefinition[], record: ApplyRecorder): Promise<void> {
  for (const label of labels) {
    try {
      await client.request("GET /repos/{owner}/{repo}/labels/{name}", { ...where(repo), name: label.name });
      continue;
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.status !== 404) {
        record.error({ action: "label", label: label.name, status: failure.status, message: failure.message });
        continue;
      }
    }
    const reservation = await writes.reserve(1);
    if (!reservation) continue;
    try {
      await reservation.send("POST /repos/{owner}/{repo}/labels", { ...where(repo), name: label.name, color: label.color, description: label.description });
    } catch (error) {
      const failure = failureOf(error);
      if (!(failure.status === 422 && failure.codes.includes("already_exists"))) {
        record.error({ action: "label", label: label.name, status: failure.status, message: failure.message });
      }
    } finally {
      record.wrote(reservation.spent);
      await reservation.release();
    }
  }
}
