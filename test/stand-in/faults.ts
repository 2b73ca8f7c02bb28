/**
 * Faults the stand-in injects, so process-level tests can prove Keywarden survives what GitHub and
 * the proxies in front of it really do: 5xx, secondary rate limits (403 and 429 with `retry-after`),
 * connections dropped without a reply, and the nastiest one, a write GitHub applied whose reply was
 * lost (`applied-then-502`), which is how duplicate issues are born.
 *
 * Two ways in: a seeded share of requests (`set`), reproducible run after run (see prng.ts), and
 * `once(matcher, kind)` for a targeted test ("the next issue creation fails after applying").
 * Queued `once` faults go first. Every injected fault is counted by kind.
 */
import { streamFor } from "./prng.js";

export const FAULT_KINDS = ["500", "502", "secondary", "429", "drop", "applied-then-502"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a request is, for fault scoping: REST and GraphQL, token minting, or git over HTTP. */
export type RequestScope = "api" | "tokens" | "git";
export type FaultScope = RequestScope | "all";

export interface FaultTarget {
  method: string;
  /**
   * Without the query: REST without `/api/v3` (`/repos/o/r/issues`), `/graphql`, or git's own
   * (`/o/r.git/git-upload-pack`).
   */
  path: string;
  /** Path and query exactly as sent. */
  url: string;
  scope: RequestScope;
  /** A request that changes state (not GET/HEAD, not GraphQL, not a git fetch). */
  write: boolean;
}

export interface FaultSettings {
  /** Share of matching requests that fail, 0..1. */
  rate: number;
  /** Kinds to choose from, uniformly (default: all). */
  kinds?: readonly FaultKind[];
  /** Seed of the fault stream (default: the stand-in's seed). */
  seed?: number;
  /** Which requests may fail (default "all"). */
  scope?: FaultScope | readonly FaultScope[];
}

export type FaultMatcher =
  | ((target: FaultTarget) => boolean)
  | { method?: string; path?: string | RegExp; scope?: FaultScope };

export function matches(matcher: FaultMatcher, target: FaultTarget): boolean {
  if (typeof matcher === "function") return matcher(target);
  if (matcher.method && matcher.method.toUpperCase() !== target.method) return false;
  if (matcher.scope && matcher.scope !== "all" && matcher.scope !== target.scope) return false;
  if (typeof matcher.path === "string" && matcher.path !== target.path) return false;
  if (matcher.path instanceof RegExp && !matcher.path.test(target.path)) return false;
  return true;
}

function inScope(scope: FaultSettings["scope"], target: FaultTarget): boolean {
  const scopes = scope === undefined ? ["all"] : typeof scope === "string" ? [scope] : scope;
  return scopes.some((s) => s === "all" || s === target.scope);
}

export class Faults {
  /** Faults injected so far, by the kind actually applied. */
  readonly injected: Record<FaultKind, number> = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  /** Seconds announced in `retry-after` by `secondary` and `429`. */
  retryAfterSeconds = 1;
  private settings: FaultSettings | undefined;
  private readonly queue: { matcher: FaultMatcher; kind: FaultKind }[] = [];
  private readonly seen = new Map<string, number>();

  constructor(private readonly defaultSeed: number) {}

  /** Fail a seeded share of requests from now on (replaces earlier settings, restarts the stream). */
  set(settings: FaultSettings): void {
    if (!(settings.rate >= 0 && settings.rate <= 1)) throw new Error(`fault rate must be within 0..1, got ${settings.rate}`);
    for (const kind of settings.kinds ?? []) if (!FAULT_KINDS.includes(kind)) throw new Error(`unknown fault kind ${kind}`);
    this.settings = settings;
    this.seen.clear();
  }

  /** No more seeded faults, and forget queued ones. */
  off(): void {
    this.settings = undefined;
    this.queue.length = 0;
  }

  /** Fail the next request that `matcher` accepts with `kind` (queued; each call fails one request). */
  once(matcher: FaultMatcher, kind: FaultKind): void {
    if (!FAULT_KINDS.includes(kind)) throw new Error(`unknown fault kind ${kind}`);
    this.queue.push({ matcher, kind });
  }

  /** Queued `once` faults not yet consumed. */
  get pending(): number {
    return this.queue.length;
  }

  total(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }

  /** The fault this request meets, if any (counted). Called once per request by the server. */
  decide(target: FaultTarget): FaultKind | undefined {
    const queued = this.queue.findIndex((q) => matches(q.matcher, target));
    let kind = queued >= 0 ? this.queue.splice(queued, 1)[0]!.kind : this.draw(target);
    if (kind === undefined) return undefined;
    // A read has nothing to apply: its "applied, then the reply was lost" is a plain 502.
    if (kind === "applied-then-502" && !target.write) kind = "502";
    this.injected[kind]++;
    return kind;
  }

  private draw(target: FaultTarget): FaultKind | undefined {
    const settings = this.settings;
    if (!settings || settings.rate === 0 || !inScope(settings.scope, target)) return undefined;
    const key = `${target.method} ${target.url}`;
    const occurrence = this.seen.get(key) ?? 0;
    this.seen.set(key, occurrence + 1);
    const random = streamFor(settings.seed ?? this.defaultSeed, key, occurrence);
    if (random() >= settings.rate) return undefined;
    const kinds = settings.kinds?.length ? settings.kinds : FAULT_KINDS;
    return kinds[Math.floor(random() * kinds.length)];
  }
}
