/** The write path's bookkeeping: every write reserved from the budget, what was not spent given back. */
import { describe, expect, it } from "vitest";
import { createLocalWriteBudget, WritePath, WriteFailed } from "../../../src/github/issues-gateway/index.js";
import type { GitHubClient, GitHubResponse } from "../../../src/github/requester.js";

/** A client that answers each request with the next reply (an Error is thrown). */
function scripted(...replies: (GitHubResponse | Error)[]): GitHubClient & { routes: string[] } {
  const routes: string[] = [];
  return {
    routes,
    async request(route: string) {
      routes.push(route);
      const reply = replies.shift();
      if (!reply) throw new Error(`unexpected request ${route}`);
      if (reply instanceof Error) throw reply;
      return reply;
    },
    paginate: {
      iterator() {
        throw new Error("not listed here");
      },
    },
  };
}
const ok = (data: unknown = {}): GitHubResponse => ({ status: 200, data, headers: {} });
const failed = (status: number | undefined, withResponse = true) =>
  Object.assign(new Error(`failed ${status}`), { status, ...(withResponse ? { response: { data: { message: `failed ${status}` }, headers: {} } } : {}) });

describe("WritePath", () => {
  it("reserves a unit of work at once, or nothing", async () => {
    const budget = createLocalWriteBudget(3);
    const writes = new WritePath({ client: scripted(), budget });
    expect(await writes.reserve(4)).toBeUndefined();
    expect(budget.remaining).toBe(3);
    const r = await writes.reserve(2);
    expect(r?.reserved).toBe(2);
    expect(budget.remaining).toBe(1);
  });

  it("gives back what a reservation did not spend, once", async () => {
    const budget = createLocalWriteBudget(5);
    const client = scripted(ok(), failed(422));
    const r = (await new WritePath({ client, budget }).reserve(3))!;
    await r.send("PATCH /x", {});
    await expect(r.send("PATCH /y", {})).rejects.toBeInstanceOf(WriteFailed);
    expect(r.spent).toBe(1);
    await r.release();
    await r.release();
    expect(budget.remaining).toBe(4);
    await expect(r.send("PATCH /z", {})).rejects.toThrow(/after its reservation was released/);
  });

  it("refuses a write beyond what was reserved", async () => {
    const r = (await new WritePath({ client: scripted(ok(), ok()), budget: createLocalWriteBudget(5) }).reserve(1))!;
    await r.send("PATCH /x", {});
    await expect(r.send("PATCH /y", {})).rejects.toThrow(/beyond the 1 reserved/);
  });

  it("marks an idempotent write repeatable, so Octokit may repeat it in place", async () => {
    let seen: Record<string, unknown> | undefined;
    const client: GitHubClient = { ...scripted(), request: async (_route, parameters) => ((seen = parameters), ok()) };
    await (await new WritePath({ client, budget: createLocalWriteBudget(1) }).reserve(1))!.send("POST /repos/{owner}/{repo}/labels", { name: "x" });
    expect(seen).toEqual({ name: "x", request: { repeatable: true } });
  });

  it("repeats a create that failed in flight only once it is known to be missing", async () => {
    const sleeps: number[] = [];
    const client = scripted(failed(502), failed(undefined, false), ok({ number: 7 }));
    const finds: string[] = [];
    const r = (await new WritePath({ client, budget: createLocalWriteBudget(1), sleep: async (ms) => void sleeps.push(ms) }).reserve(1))!;
    const number = await r.create("POST /issues", {}, { read: (res) => res.data.number as number, find: async () => void finds.push("looked") });
    expect(number).toBe(7);
    expect(finds).toEqual(["looked", "looked"]);
    expect(sleeps).toEqual([1000, 4000]);
    expect(r.spent).toBe(1);
  });

  it("takes a create found after a failure in flight for done, and never sends it again", async () => {
    const client = scripted(failed(502));
    const r = (await new WritePath({ client, budget: createLocalWriteBudget(1), sleep: async () => {} }).reserve(1))!;
    expect(await r.create("POST /issues", {}, { read: () => 0, find: async () => 42 })).toBe(42);
    expect(client.routes).toEqual(["POST /issues"]);
    expect(r.spent).toBe(1);
  });

  it("gives up when it cannot tell whether the create landed", async () => {
    const r = (await new WritePath({ client: scripted(failed(502)), budget: createLocalWriteBudget(1), sleep: async () => {} }).reserve(1))!;
    await expect(r.create("POST /issues", {}, { read: () => 0, find: async () => Promise.reject(failed(500)) })).rejects.toThrow(/could not check whether GitHub applied it/);
  });

  it("does not repeat a create GitHub answered (403, 422)", async () => {
    for (const status of [403, 422]) {
      const client = scripted(failed(status));
      const r = (await new WritePath({ client, budget: createLocalWriteBudget(1), sleep: async () => {} }).reserve(1))!;
      await expect(r.create("POST /issues", {}, { read: () => 0, find: async () => undefined })).rejects.toMatchObject({ failure: { status } });
      expect(client.routes).toHaveLength(1);
    }
  });
});
