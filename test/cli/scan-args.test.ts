import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../../src/cli/exit-code.js";
import { parseScanArgs } from "../../src/cli/scan-args.js";

describe("parseScanArgs", () => {
  it("defaults to text and --fail-on medium", () => {
    expect(parseScanArgs(["infra"])).toEqual({ kind: "scan", args: { path: "infra", format: "text", failOn: "medium" } });
  });

  it("takes every option, in either form", () => {
    expect(parseScanArgs(["--format=sarif", "infra", "--fail-on", "high", "-o", "out.sarif"])).toEqual({
      kind: "scan",
      args: { path: "infra", format: "sarif", failOn: "high", output: "out.sarif" },
    });
  });

  it("accepts a path that starts with a dash after --", () => {
    expect(parseScanArgs(["--", "-weird"])).toMatchObject({ kind: "scan", args: { path: "-weird" } });
  });

  it.each([
    [["--nope", "x"], "unknown option '--nope'"],
    [["x", "--format"], "option '--format' needs a value"],
    [["x", "--help=yes"], "option '--help' takes no value"],
    [["x", "--format", "yaml"], "--format must be one of text, json, sarif, markdown (got 'yaml')"],
    [["x", "--fail-on", "LOW"], "--fail-on must be one of high, medium, none (got 'LOW')"],
    [["x", "--output="], "--output needs a file name"],
    [[], "missing <path> (the directory to scan)"],
    [["a", "b"], "expected one <path>, got 2: 'a' 'b'"],
    [["x", "--format", "\u001b[31m"], "--format must be one of text, json, sarif, markdown (got '\\x1b[31m')"],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(parseScanArgs(argv)).toEqual({ kind: "usage-error", message });
  });

  it("--help wins over everything else", () => {
    expect(parseScanArgs(["--help", "--format", "bogus"])).toEqual({ kind: "help" });
  });
});

describe("exitCodeFor", () => {
  const f = (severity: "HIGH" | "MEDIUM" | "LOW") => ({ severity }) as never;
  it("fails at or above the threshold only", () => {
    expect(exitCodeFor({ findings: [f("MEDIUM")] }, "medium")).toBe(1);
    expect(exitCodeFor({ findings: [f("MEDIUM")] }, "high")).toBe(0);
    expect(exitCodeFor({ findings: [f("HIGH")] }, "high")).toBe(1);
    expect(exitCodeFor({ findings: [f("LOW")] }, "medium")).toBe(0);
    expect(exitCodeFor({ findings: [f("HIGH")] }, "none")).toBe(0);
    expect(exitCodeFor({ findings: [] }, "medium")).toBe(0);
  });
});
