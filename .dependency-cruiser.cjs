/**
 * The layers of src/, bottom to top (README.md, "Development"): a file may import from its own
 * folder and from the folders below it, never from one above or beside it. `npm test` runs this,
 * so an import that runs backwards fails CI.
 */
const LAYERS = [
  ["domain"], // contracts, ordering, fingerprints, the one definition of Terraform files
  ["rules"], // one file per rule: metadata, a pure check, remediation
  ["scan"], // Terraform loading and evaluation: scan(dir, options)
  ["config"], // process settings and the repository configuration, both validated with zod
  ["issues"], // pure: plan, render, neutralise, markers
  ["summary"], // pure: the weekly summary's figures and Markdown
  ["report"], // keywarden scan's output formats
  ["github", "git"], // I/O: the GitHub API; the hardened clone
  ["jobs"], // BullMQ queues, schedules, one processor per job kind
  ["app"], // webhook handlers: they only enqueue
  ["cli"], // the keywarden command: where everything is wired
];

const forbidden = LAYERS.flatMap((rank, i) =>
  rank.map((layer) => {
    const notBelow = LAYERS.slice(i).flat().filter((other) => other !== layer);
    return {
      name: `${layer}-imports-downward-only`,
      comment: `src/${layer}/ may import only from ${LAYERS.slice(0, i).flat().join(", ") || "nothing in src"} (and itself)`,
      severity: "error",
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${notBelow.join("|")})/` },
    };
  }),
);

module.exports = {
  forbidden: [
    ...forbidden,
    { name: "no-circular", severity: "error", from: { path: "^src/" }, to: { circular: true } },
    { name: "no-unknown-layer", comment: "every file of src/ lives in one of the layers", severity: "error", from: { path: "^src/", pathNot: `^src/(${LAYERS.flat().join("|")})/` }, to: {} },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
