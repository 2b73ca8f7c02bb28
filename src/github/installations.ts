/**
 * What the audit and the summary both ask of GitHub about installations: which are active (for the
 * fan-out), and which repositories one of them covers (asked each time, so repositories added since
 * the last run are included without a restart; the audit asks conditionally, see below).
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
  /** The last push to any branch (GitHub's clock, whole seconds); null before the first. */
  pushed_at?: string | null;
  /** What a scan needs to clone and file (handed to the scan job, so it need not ask again). */
  default_branch?: string;
  clone_url?: string;
  has_issues?: boolean;
  open_issues_count?: number;
}

/** One page of `GET /installation/repositories` as the last run received it. */
export interface ListedPage {
  etag: string;
  /** GitHub's `Date` header of the reply: when the page was true. */
  date: string;
  hasNext: boolean;
  repositories: AuditRepository[];
}

/** Where the pages of the last listing are kept between runs (Redis, by the jobs layer). */
export interface ListingStore {
  get(): Promise<ListedPage[] | undefined>;
  put(pages: ListedPage[]): Promise<void>;
}

export interface InstallationListing {
  repositories: AuditRepository[];
  /** Every page was answered 304: the list is, field by field, the one the last run stored. */
  unchanged: boolean;
  /** The pages to store once the run has acted on them (see `ListingStore`). */
  pages: ListedPage[];
}

const PER_PAGE = 100;

/** Only what the audit and its scans read is kept: a stored listing stays small (about 350 bytes a repository). */
function auditFields(r: AuditRepository): AuditRepository {
  return {
    id: r.id,
    node_id: r.node_id,
    name: r.name,
    full_name: r.full_name,
    archived: r.archived,
    fork: r.fork,
    owner: { login: r.owner.login },
    pushed_at: r.pushed_at ?? null,
    default_branch: r.default_branch,
    clone_url: r.clone_url,
    has_issues: r.has_issues,
    open_issues_count: r.open_issues_count,
  };
}

/**
 * The installation's repositories, every page asked for with the ETag the last run stored
 * (`If-None-Match`): GitHub answers an unchanged page 304, which costs no rate limit, and the stored
 * page stands in for it. A page's ETag covers its whole body (every repository's fields, `pushed_at`
 * included, and `total_count`), so "every page 304" means nothing the audit reads has changed.
 * Without a store every page is read afresh.
 */
export async function listInstallationRepositories(octokit: InstallationOctokit, stored: ListedPage[] | undefined): Promise<InstallationListing> {
  const pages: ListedPage[] = [];
  let unchanged = stored !== undefined;
  for (let page = 1; ; page++) {
    const previous = stored?.[page - 1];
    let current: ListedPage;
    try {
      const response = await octokit.request("GET /installation/repositories", {
        per_page: PER_PAGE,
        page,
        ...(previous ? { headers: { "if-none-match": previous.etag } } : {}),
      });
      unchanged = false;
      current = {
        etag: String(response.headers.etag ?? ""),
        date: String(response.headers.date ?? ""),
        hasNext: /\brel="next"/.test(String(response.headers.link ?? "")),
        repositories: (response.data.repositories as AuditRepository[]).map(auditFields),
      };
    } catch (error) {
      if ((error as { status?: number }).status !== 304 || !previous) throw error;
      current = previous;
    }
    pages.push(current);
    if (!current.hasNext) break;
  }
  // Fewer pages than stored is a change too (repositories removed from the installation).
  if (stored && stored.length !== pages.length) unchanged = false;
  return {
    repositories: pages.flatMap((p) => p.repositories),
    unchanged,
    // A page without an ETag cannot be asked for conditionally: such a listing is not stored.
    pages: pages.every((p) => p.etag) ? pages : [],
  };
}

/** Every repository of the installation, read afresh (the summary's view). */
export async function installationRepositories(octokit: InstallationOctokit): Promise<AuditRepository[]> {
  return (await octokit.paginate("GET /installation/repositories", { per_page: 100 })) as AuditRepository[];
}

/** The login of an installation's account: `login` for users and organizations, `slug` for enterprises. */
export function accountLogin(account: { login?: string; slug?: string } | null | undefined): string | undefined {
  return account?.login ?? account?.slug;
}
