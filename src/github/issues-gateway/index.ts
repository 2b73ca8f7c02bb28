/**
 * The GitHub issues gateway: the one way Keywarden reads and writes issues.
 *
 * - Reading (./listing.ts): `keywardenIssues` / `listKeywardenIssues` / `listFindingIssues`, every
 *   page through `octokit.paginate`, only the issues of the app's own bot user.
 * - Whose (./ownership.ts): `botLogin(slug)` and `isKeywardens(author, login)`, the one rule.
 * - Writing (./write-path.ts): `new WritePath({ client, budget })`, then `reserve(n)` or
 *   `within(n, work)`; a `Reservation` sends idempotent writes (`send`) and creates (`create`,
 *   looked for before being repeated); `commentOnce` (./comments.ts) for comments.
 * - The budget (./budget.ts): `WriteBudget`, `createLocalWriteBudget`, `forInstallation`.
 */
export { botLogin, isKeywardens } from "./ownership.js";
export {
  asFindingIssue,
  findRecentKeywardenIssue,
  keywardenIssues,
  listFindingIssues,
  listKeywardenIssues,
  toListedIssue,
  type FindingIssue,
  type IssueListing,
  type ListedIssue,
} from "./listing.js";
export { commentOnce, hasKeywardenComment } from "./comments.js";
export { failureOf, Reservation, WriteFailed, WritePath, type CreateOutcome, type WriteLogger, type WritePathOptions } from "./write-path.js";
export { createLocalWriteBudget, forInstallation, type WriteBudget } from "./budget.js";
export { DEFAULT_CREATE_RETRY, decideCreateRetry, type CreateRetryPolicy } from "./create-retry-policy.js";
