/**
 * The one GraphQL query Keywarden sends (src/github/default-branch-heads.ts): `nodes(ids:)` asking
 * each Repository for `id` and `defaultBranchRef.target.oid`. The answer comes from the bare
 * repository itself (an empty repository has a null ref). As on GitHub, an id the token cannot see
 * is a null node plus a NOT_FOUND error, more than 100 ids is an error, and errors ride a 200 (so
 * @octokit/graphql throws them). Any other query is answered with an error naming this limitation,
 * so a test that needs more fails loudly instead of reading nonsense.
 */
import { fail, reply, type ApiReply } from "./http-reply.js";
import type { Json } from "./shapes.js";

export interface GraphqlRepo {
  nodeId: string;
  /** Default-branch HEAD, undefined for an empty repository. */
  head(): Promise<string | undefined>;
}

export async function answerGraphql(body: Json, visible: (nodeId: string) => GraphqlRepo | undefined): Promise<ApiReply> {
  const query = typeof body?.query === "string" ? body.query : "";
  if (!query) return fail(400, "A query attribute must be specified and must be a string.");
  if (!/\bnodes\s*\(\s*ids\s*:/.test(query)) {
    return reply(200, { errors: [{ message: "stand-in: only the nodes(ids:) query of src/github/default-branch-heads.ts is implemented" }] });
  }
  const ids: unknown = body.variables?.ids;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
    return reply(200, { errors: [{ message: "Variable $ids of type [ID!]! was provided invalid value", locations: [{ line: 1, column: 7 }] }] });
  }
  if (ids.length > 100) {
    return reply(200, { errors: [{ type: "EXCESSIVE_PAGINATION", message: `You may not provide more than 100 node ids; you provided ${ids.length}.` }] });
  }
  const errors: Json[] = [];
  const nodes = await Promise.all(
    (ids as string[]).map(async (id, index) => {
      const repo = visible(id);
      if (!repo) {
        errors.push({ type: "NOT_FOUND", path: ["nodes", index], locations: [{ line: 2, column: 3 }], message: `Could not resolve to a node with the global id of '${id}'` });
        return null;
      }
      const oid = await repo.head();
      return { id, defaultBranchRef: oid ? { target: { oid } } : null };
    }),
  );
  return reply(200, errors.length ? { data: { nodes }, errors } : { data: { nodes } });
}
