/**
 * The Probot application: webhook handlers that only enqueue, and the operations routes (health,
 * readiness, metrics, dashboard: ./routes/). Everything slow
 * (cloning, scanning, writing issues) happens in workers, so GitHub gets its 2xx within its 10 s
 * window whatever the repository size.
 */
import type { ApplicationFunction, Probot } from "probot";
import { decidePush } from "./push-filter.js";
import { decidePullRequest } from "./pull-request-filter.js";
import { decideCheckRun } from "./check-run-filter.js";
import { enqueueCheck, enqueueScan, type Queues, type ScanReason } from "../jobs/queues.js";
import { handleSummaryEdit } from "./summary-checkbox.js";
import { accountLogin } from "../github/installations.js";
import { appBotLogin, appIdentity } from "../github/app-slug.js";
import type { Route } from "./routes/operations.js";

interface RepoRef {
  id: number;
  name: string;
}

async function enqueueRepositories(queues: Queues, installationId: number, owner: string, repos: RepoRef[], reason: ScanReason) {
  for (const repo of repos) {
    await enqueueScan(queues, { installationId, repositoryId: repo.id, owner, repo: repo.name, reason });
  }
}

function installationOwner(installation: { id: number; account: unknown }): string {
  const owner = accountLogin(installation.account as { login?: string; slug?: string } | null);
  if (!owner) throw new Error(`installation ${installation.id} carries no account`);
  return owner;
}

/** `operations` builds the operations routes for this Probot instance (its readiness asks GitHub as this app). */
export function keywardenApp(queues: Queues, operations: (app: Probot) => Route): ApplicationFunction {
  return (app: Probot, { addHandler }) => {
    app.on("push", async (context) => {
      const { payload } = context;
      const decision = decidePush(payload);
      const repo = payload.repository;
      if (!decision.scan) {
        context.log.debug({ repo: repo.full_name, reason: decision.reason }, "push ignored");
        return;
      }
      const installationId = payload.installation?.id;
      if (!installationId) throw new Error(`push to ${repo.full_name} carries no installation id`);
      await enqueueScan(queues, {
        installationId,
        repositoryId: repo.id,
        owner: repo.owner?.login ?? repo.owner?.name ?? repo.full_name.split("/")[0]!,
        repo: repo.name,
        commitSha: payload.after,
        reason: "push",
      });
      context.log.info({ repo: repo.full_name, commit: payload.after }, "scan queued");
    });

    // The actions decidePullRequest checks (it also says no to any other, should one be added here).
    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], async (context) => {
      const { payload } = context;
      const repo = payload.repository;
      const decision = decidePullRequest(payload);
      if (!decision.check) {
        context.log.debug({ repo: repo.full_name, pull: payload.number, reason: decision.reason }, "pull request ignored");
        return;
      }
      const installationId = payload.installation?.id;
      if (!installationId) throw new Error(`pull request ${repo.full_name}#${payload.number} carries no installation id`);
      // The base repository: a fork's head is fetched from it (refs/pull/N/head) with its token.
      await enqueueCheck(queues, {
        installationId,
        repositoryId: repo.id,
        owner: repo.owner.login,
        repo: repo.name,
        pullNumber: payload.number,
        headSha: payload.pull_request.head.sha,
      });
      context.log.info({ repo: repo.full_name, pull: payload.number, commit: payload.pull_request.head.sha }, "pull request check queued");
    });

    // The "Re-run" button on a check run; decideCheckRun keeps to Keywarden's own runs.
    app.on("check_run.rerequested", async (context) => {
      const { payload } = context;
      const repo = payload.repository;
      const where = { repo: repo.full_name, commit: payload.check_run.head_sha };
      const decision = decideCheckRun(payload, (await appIdentity(app)).id);
      if (!decision.rerun) {
        if (decision.tell) context.log.info({ ...where, reason: decision.reason }, "check run re-run not possible");
        else context.log.debug({ ...where, reason: decision.reason }, "check run event ignored");
        return;
      }
      const installationId = payload.installation?.id;
      if (!installationId) throw new Error(`check run on ${repo.full_name} carries no installation id`);
      const target = { installationId, repositoryId: repo.id, owner: repo.owner.login, repo: repo.name };
      if (decision.rerun === "push") {
        // The scan publishes the push check run on the default branch's current head.
        await enqueueScan(queues, { ...target, commitSha: payload.check_run.head_sha, reason: "push" });
        context.log.info(where, "check run re-run: scan queued");
        return;
      }
      for (const pullNumber of decision.pullNumbers) {
        await enqueueCheck(queues, { ...target, pullNumber, headSha: payload.check_run.head_sha });
        context.log.info({ ...where, pull: pullNumber }, "check run re-run: pull request check queued");
      }
    });

    app.on("installation.created", async (context) => {
      const { installation, repositories = [] } = context.payload;
      await enqueueRepositories(queues, installation.id, installationOwner(installation), repositories, "installation");
      context.log.info({ installation: installation.id, repositories: repositories.length }, "installation scans queued");
    });

    app.on("installation_repositories.added", async (context) => {
      const { installation, repositories_added } = context.payload;
      await enqueueRepositories(queues, installation.id, installationOwner(installation), repositories_added, "installation");
      context.log.info({ installation: installation.id, repositories: repositories_added.length }, "added repositories queued");
    });

    app.on("issues.edited", async (context) => {
      await handleSummaryEdit(context, queues, () => appBotLogin(app));
    });

    addHandler(operations(app));
  };
}
