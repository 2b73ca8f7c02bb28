/**
 * The `Keywarden` check run: `startCheckRun` / `completeCheckRun` around a scan, or
 * `publishCheckRun` in one go (./publish.ts); annotations 50 a request (./batches.ts); an
 * installation without `checks: write` is `{ published: false, reason: "missing-permission" }`
 * (./missing-permission.ts), not an error.
 */
export { CHECK_RUN_NAME, CheckRunFailed, completeCheckRun, publishCheckRun, startCheckRun, type CheckPublish } from "./publish.js";
export { ANNOTATIONS_PER_REQUEST, annotationBatches } from "./batches.js";
export { isMissingPermission } from "./missing-permission.js";
