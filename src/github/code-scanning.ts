/**
 * Upload a scan's SARIF to GitHub code scanning (`POST /repos/{o}/{r}/code-scanning/sarifs`): gzip
 * then base64, as the endpoint requires, with the commit and the ref it describes and `tool_name`
 * "Keywarden". GitHub processes it asynchronously; the answer is the upload's id.
 *
 * Two answers are expected, not failures, and each is one log line and a result:
 * - 403 "Resource not accessible by integration": the installation has not been granted
 *   `security_events: write` (code scanning is opt-in, and existing installations must accept the
 *   permission) → `missing-permission`;
 * - 403/404 saying code scanning or Advanced Security is not enabled for the repository →
 *   `not-enabled`.
 * A SARIF over GitHub's limit (10 MB gzipped) is refused before sending, with an error naming the
 * repository. The upload is repeatable: GitHub keeps one analysis per commit, ref and tool, so a
 * second upload of the same SARIF replaces the first.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Logger } from "pino";
import { isMissingPermission } from "./checks/missing-permission.js";
import type { InstallationOctokit as Octokit } from "./octokit/keywarden-octokit.js";
import { describeFailure } from "./requester.js";

const gzipAsync = promisify(gzip);

/** GitHub's limit for a gzip-compressed SARIF upload (10 MB; counted in decimal to stay under it). */
export const MAX_GZIPPED_SARIF_BYTES = 10_000_000;
export const SARIF_TOOL_NAME = "Keywarden";

export type SarifUpload = { uploaded: true; id: string } | { uploaded: false; reason: "missing-permission" | "not-enabled" };

export class SarifUploadFailed extends Error {
  override name = "SarifUploadFailed";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const NOT_ENABLED = /code scanning is not enabled|advanced security must be enabled|advanced security is not enabled/i;

export async function uploadSarif(
  octokit: Octokit,
  target: { owner: string; repo: string; commitSha: string; ref: string },
  sarif: object,
  log: Logger,
): Promise<SarifUpload> {
  const repository = `${target.owner}/${target.repo}`;
  const gzipped = await gzipAsync(Buffer.from(JSON.stringify(sarif), "utf8"));
  if (gzipped.length > MAX_GZIPPED_SARIF_BYTES) {
    throw new SarifUploadFailed(
      `the SARIF of ${repository}@${target.commitSha.slice(0, 12)} is ${gzipped.length} bytes gzipped, over GitHub's limit of ${MAX_GZIPPED_SARIF_BYTES}: ` +
        "set codeScanning: false in .github/keywarden.yml for this repository, or narrow what is scanned.",
    );
  }
  try {
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/code-scanning/sarifs", {
      owner: target.owner,
      repo: target.repo,
      commit_sha: target.commitSha,
      ref: target.ref,
      sarif: gzipped.toString("base64"),
      tool_name: SARIF_TOOL_NAME,
      request: { repeatable: true },
    });
    return { uploaded: true, id: String(data.id) };
  } catch (error) {
    if (isMissingPermission(error)) {
      log.warn(
        { repository },
        `SARIF of ${repository} not uploaded: the installation has not been granted "security_events: write". ` +
          "An organization owner accepts the app's new permissions in the installation's settings, or sets codeScanning: false.",
      );
      return { uploaded: false, reason: "missing-permission" };
    }
    const failure = describeFailure(error);
    if ((failure.status === 403 || failure.status === 404) && NOT_ENABLED.test(failure.message)) {
      log.warn(
        { repository },
        `SARIF of ${repository} not uploaded: code scanning is not enabled for the repository (${failure.message}). ` +
          "Enable code scanning (GitHub Advanced Security) in the repository's settings, or set codeScanning: false.",
      );
      return { uploaded: false, reason: "not-enabled" };
    }
    throw new SarifUploadFailed(`could not upload the SARIF of ${repository}@${target.commitSha.slice(0, 12)}: ${failure.status ?? "no reply"} ${failure.message}`, failure.status);
  }
}
