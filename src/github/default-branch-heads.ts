/**
 * Default-branch HEAD commits of many repositories at once: one GraphQL `nodes` query per 100
 * repositories (GraphQL's page size), so deciding that a repository is unchanged costs at most one
 * request per 100 repositories and no clone. The queries run a few at a time (`concurrency`): they
 * are reads, sent through a client that does not pace them as writes
 * (./octokit/lane-clients.ts), and a few in flight stay far below GitHub's 100 concurrent
 * requests.
 */

export type GraphqlClient = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

/** HEAD queries in flight at once. */
export const HEAD_QUERY_CONCURRENCY = 4;

const PAGE = 100;

const QUERY = `query($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Repository { id defaultBranchRef { target { oid } } }
  }
}`;

interface NodesResult {
  nodes: ({ id: string; defaultBranchRef: { target: { oid: string } | null } | null } | null)[];
}

export async function fetchDefaultBranchHeads(graphql: GraphqlClient, nodeIds: string[], concurrency = HEAD_QUERY_CONCURRENCY): Promise<Map<string, string | undefined>> {
  const batches: string[][] = [];
  for (let i = 0; i < nodeIds.length; i += PAGE) batches.push(nodeIds.slice(i, i + PAGE));
  const results: NodesResult[] = new Array(batches.length);
  let next = 0;
  // `concurrency` runners, each taking the next batch; the first failure fails the whole look-up.
  const runner = async () => {
    while (next < batches.length) {
      const index = next++;
      results[index] = await graphql<NodesResult>(QUERY, { ids: batches[index], request: { repeatable: true } });
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), batches.length) }, runner));
  const heads = new Map<string, string | undefined>();
  for (const result of results) {
    for (const node of result.nodes) {
      // An empty repository has no default branch ref: it has no HEAD to compare.
      if (node) heads.set(node.id, node.defaultBranchRef?.target?.oid);
    }
  }
  return heads;
}
