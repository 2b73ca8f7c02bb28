/**
 * Validation against the official SARIF 2.1.0 schema (test/fixtures/report/sarif-schema-2.1.0.json,
 * see SOURCE.md there). The schema is JSON Schema draft-04; Ajv 8 ships no draft-04 meta-schema, so
 * the `$schema` marker is dropped and the root `id` becomes `$id`. Nothing else in this schema
 * differs between draft-04 and draft-07 (no boolean exclusiveMinimum/Maximum), so the checks are the
 * same ones a draft-04 validator makes.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let validator: ValidateFunction | undefined;

export function sarifValidator(): ValidateFunction {
  if (validator) return validator;
  const path = fileURLToPath(new URL("../fixtures/report/sarif-schema-2.1.0.json", import.meta.url));
  const { $schema: _draft, id, ...schema } = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  validator = ajv.compile({ $id: id, ...schema });
  return validator;
}

/** Errors as readable lines, so a failing expectation says what is wrong where. */
export function sarifErrors(log: unknown): string[] {
  const validate = sarifValidator();
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
