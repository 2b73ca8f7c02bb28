import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, PACKAGE_VERSION, runCli } from "./run-cli.js";

beforeAll(() => assertBuilt());

describe("keywarden (dispatcher)", () => {
  it("--version prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r).toEqual({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: "" });
  });

  it("--help lists the commands and exits 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: keywarden <command>");
    for (const command of ["scan", "serve", "audit", "summary"]) expect(r.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, "m"));
  });

  it("scan --help prints the scan usage and exits 0", async () => {
    const r = await runCli(["scan", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--fail-on LEVEL");
  });

  it("no command, an unknown command or an unknown option: usage error, exit 2", async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain("Usage: keywarden");
    const unknown = await runCli(["frobnicate"]);
    expect(unknown).toEqual({ code: 2, stdout: "", stderr: "keywarden: unknown command 'frobnicate' (see keywarden --help)\n" });
    const option = await runCli(["--frobnicate"]);
    expect(option).toEqual({ code: 2, stdout: "", stderr: "keywarden: unknown option '--frobnicate' (see keywarden --help)\n" });
  });
});
