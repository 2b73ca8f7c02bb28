/**
 * Default-branch HEAD commits of many repositories at once: one GraphQL `nodes` query per 100
 * repositories (GraphQL's page size), so deciding that a repository is unchanged costs at most one
 * request per 100 repositories and no clone.
 */

export type GraphqlClient = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

const QUERY = `query($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Repository { id defaultBranchRef { target { oid } } }
  }
}`;

interface NodesResult {
  nodes: ({ id: string; defaultBranchRef: { target: { oid: string } | null } | null } | null)[];
}

export async function fetchDefaultBranchHeads(graphql: GraphqlClient, nodeIds: string[]): Promise<Map<string, string | undefined>> {
  const heads = new Map<string, string | undefined>();
  for (let i = 0; i < nodeIds.length; i += 100) {
    const result = await graphql<NodesResult>(QUERY, { ids: nodeIds.slice(i, i + 100), request: { repeatable: true } });
    for (const node of result.nodes) {
      // An empty repository has no default branch ref: it has no HEAD to compare.
      if (node) heads.set(node.id, node.defaultBranchRef?.target?.oid);
    }
  }
  return heads;
}
