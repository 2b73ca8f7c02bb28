/**
 * `codeScanning: true`: the SARIF of a default-branch scan, uploaded to GitHub code scanning with
 * the scanned commit and `refs/heads/<default branch>`. It is the same SARIF `keywarden scan
 * --format sarif` writes (src/report/sarif.ts), with paths relative to the repository root (the
 * checkout's root) and no local base URI: the checkout is a temporary directory nobody else sees.
 *
 * An installation without `security_events: write`, or a repository without code scanning, is one
 * log line (from the uploader) and no failure: the issues are the product, code scanning an extra.
 * A SARIF GitHub refuses (4xx, or over its size limit) is one warning too, since a retry would send
 * the same; a 5xx or a dropped connection (after the in-place retries) fails the attempt, which
 * BullMQ retries (GitHub keeps one analysis per commit, ref and tool: a repeat replaces it).
 */
import type { Logger } from "pino";
import type { ScanResult } from "../domain/types.js";
import { SarifUploadFailed, uploadSarif } from "../github/code-scanning.js";
import type { InstallationOctokit } from "../github/octokit/keywarden-octokit.js";
import { listRuleMeta } from "../report/rule-meta.js";
import { buildSarif } from "../report/sarif.js";

export interface CodeScanningInput {
  octokit: InstallationOctokit;
  owner: string;
  repo: string;
  commitSha: string;
  defaultBranch: string;
  result: ScanResult;
  /** Keywarden's version, the SARIF tool's. */
  version: string;
  log: Logger;
}

export async function uploadScanToCodeScanning(input: CodeScanningInput): Promise<void> {
  const { octokit, owner, repo, commitSha, log } = input;
  const sarif = buildSarif(input.result, { rules: listRuleMeta(), toolVersion: input.version, uriPrefix: "" });
  const ref = `refs/heads/${input.defaultBranch}`;
  try {
    const upload = await uploadSarif(octokit, { owner, repo, commitSha, ref }, sarif, log);
    if (upload.uploaded) log.info({ sarifId: upload.id, ref, results: sarif.runs[0]?.results?.length ?? 0 }, "SARIF uploaded to code scanning");
  } catch (error) {
    if (error instanceof SarifUploadFailed && (error.status === undefined || error.status < 500)) {
      log.warn({ status: error.status, err: error.message }, "SARIF not uploaded to code scanning; the issues are filed all the same");
      return;
    }
    throw error;
  }
}
