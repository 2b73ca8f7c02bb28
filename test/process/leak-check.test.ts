/**
 * The shared leak check of the process tests must find what it looks for, or its silence means
 * nothing: a token as written, the Basic credential git would send for it, and any line of the
 * private key's PEM body, wherever they sit in the output.
 */
import { describe, expect, it } from "vitest";
import { appKeys } from "./helpers/scenario.js";
import { secretsIn } from "./helpers/secrets.js";

describe("the process tests' leak check", () => {
  const token = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
  const { privateKey } = appKeys();
  const pemLine = privateKey.split("\n")[5]!;

  it("finds a token, its Basic credential and a PEM line, and nothing in clean output", () => {
    const clean = Buffer.from(`{"msg":"repository scanned","repo":"octo-org/infra"}\n`);
    expect(secretsIn(clean, [token], privateKey)).toEqual([]);
    expect(secretsIn(Buffer.from(`{"err":"bad credentials ${token}"}\n`), [token], privateKey)).toEqual(["installation token ghs_16C7…"]);
    const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
    expect(secretsIn(Buffer.from(`AUTHORIZATION: basic ${basic}`), [token], privateKey)).toEqual(["git credential for ghs_16C7…"]);
    expect(secretsIn(Buffer.from(`{"key":"${pemLine}"}`), [token], privateKey)).toEqual([`private key line ${pemLine.slice(0, 8)}…`]);
  });
});
