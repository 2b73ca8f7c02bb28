/**
 * What the audit and the summary both ask of GitHub about installations: which are active (for the
 * fan-out), and which repositories one of them covers (listed afresh each time, so repositories
 * added since the last run are included without a restart).
 */
import type { Probot } from "probot";
import type { InstallationOctokit } from "./octokit/keywarden-octokit.js";

/** Ids of the app's installations that are not suspended. */
export async function activeInstallationIds(probot: Probot): Promise<number[]> {
  const app = await probot.auth();
  const installations = await app.paginate("GET /app/installations", { per_page: 100 });
  return installations.filter((i) => !i.suspended_at).map((i) => i.id);
}

/** What an audit needs of a repository the installation lists. */
export interface AuditRepository {
  id: number;
  node_id: string;
  name: string;
  full_name: string;
  archived?: boolean;
  fork?: boolean;
  owner: { login: string };
}

export async function installationRepositories(octokit: InstallationOctokit): Promise<AuditRepository[]> {
  return (await octokit.paginate("GET /installation/repositories", { per_page: 100 })) as AuditRepository[];
}

/** The login of an installation's account: `login` for users and organizations, `slug` for enterprises. */
export function accountLogin(account: { login?: string; slug?: string } | null | undefined): string | undefined {
  return account?.login ?? account?.slug;
}
