/**
 * What the operations tests share: a child with more variables than its scenario's, a queue of the
 * child's read with BullMQ itself, the dashboard's credentials, and a scan that fails for real.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { Keywarden } from "./child.js";
import { INSTALLATION_ID, OWNER, type Scenario } from "./scenario.js";

/** A child of the scenario with more variables than the scenario's own. */
export function spawnWith(s: Scenario, args: string[], env: Record<string, string>): Keywarden {
  const child = new Keywarden(args, { ...s.env(), ...env }, s.cwd);
  s.children.push(child);
  return child;
}

/** A job of the child's queue, read with BullMQ itself. */
export async function withQueue<T>(s: Scenario, name: string, use: (queue: Queue) => Promise<T>): Promise<T> {
  const connection = new Redis(s.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix: s.prefix });
  try {
    return await use(queue);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export const ADMIN = { KEYWARDEN_ADMIN_USER: "ops", KEYWARDEN_ADMIN_PASSWORD: "correct horse battery staple" };

/**
 * A scan job for a repository the stand-in does not have, with one attempt, run by the child's own
 * worker until it fails (GitHub answers 404); resolves with the job's id.
 */
export async function failedScan(s: Scenario, serve: Keywarden, repo: string): Promise<string> {
  const id = await withQueue(s, "scan", async (queue) => {
    const job = await queue.add(`scan ${OWNER}/${repo}`, { installationId: INSTALLATION_ID, repositoryId: 999_001, owner: OWNER, repo, reason: "manual" }, { attempts: 1 });
    return job.id!;
  });
  await serve.waitForLine((l) => l.msg === "job failed" && l.jobId === id, { timeoutMs: 20_000, what: `scan ${repo} failing` });
  return id;
}
