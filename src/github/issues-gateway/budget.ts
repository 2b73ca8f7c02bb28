/**
 * The content writes a run may spend. GitHub limits content creation per installation (80 a minute,
 * 500 an hour by default), shared by every repository and every job kind of it, so every write the
 * gateway makes is reserved here first (./write-path.ts); what does not fit waits for a later run.
 */

/** Content writes shared by every repository of an installation (e.g. src/jobs/write-budget.ts). */
export interface WriteBudget {
  /** Reserve up to `wanted` writes; resolves to how many were granted (0 to `wanted`). */
  reserve(wanted: number): Promise<number> | number;
  /** Give back writes reserved but not spent. */
  refund?(unused: number): Promise<void> | void;
}

/** An in-process budget, for one run or the CLI. */
export function createLocalWriteBudget(limit: number): WriteBudget & { readonly remaining: number } {
  let remaining = Math.max(0, limit);
  return {
    get remaining() {
      return remaining;
    },
    reserve(wanted: number) {
      const granted = Math.max(0, Math.min(wanted, remaining));
      remaining -= granted;
      return granted;
    },
    refund(unused: number) {
      remaining += Math.max(0, unused);
    },
  };
}

/**
 * Adapt an installation-wide budget such as src/jobs/write-budget.ts (`reserve(installationId, n)`,
 * `refund(installationId, n)`) to the per-run shape the gateway takes.
 */
export function forInstallation(
  shared: { reserve(installationId: number, wanted: number): Promise<number>; refund(installationId: number, unused: number): Promise<void> },
  installationId: number,
): WriteBudget {
  return {
    reserve: (wanted) => shared.reserve(installationId, wanted),
    refund: (unused) => shared.refund(installationId, unused),
  };
}
