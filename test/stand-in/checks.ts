/**
 * One repository's check runs, validated as GitHub validates them, so a Keywarden that sends 51
 * annotations, forgets `output.summary` or completes a run without a conclusion fails a test the
 * way it would fail on GitHub:
 * - 422 for a body outside the schema ("Invalid request." with what is wrong): more than 50
 *   annotations in one request, an `output` without `title` or `summary`, `summary`/`text` over
 *   65,535 characters, an unknown status or conclusion, `stale` (only GitHub sets it), `completed`
 *   (or `completed_at`) without a conclusion, a conclusion with a status other than `completed`,
 *   an annotation missing a required field, with columns across lines, a title over 255
 *   characters or a message/raw_details over 64 KB;
 * - 422 "Validation Failed" for a `head_sha` that is not a commit of the repository;
 * - a conclusion alone completes the run (GitHub sets `status: completed`);
 * - annotations of successive writes append, in order; title, summary and text are replaced.
 * What was stored is plain data tests read directly: every run, its annotations, and the writes
 * that made it (how many annotations each carried).
 */
import { ValidationError } from "./issues.js";
import { isoSeconds, localExample, type Json, type Site } from "./shapes.js";

export const MAX_ANNOTATIONS_PER_REQUEST = 50;
export const MAX_OUTPUT_LENGTH = 65_535;
export const MAX_ANNOTATION_TITLE = 255;
export const MAX_ANNOTATION_BYTES = 64 * 1024;
const STATUSES = new Set(["queued", "in_progress", "completed"]);
const CONCLUSIONS = new Set(["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"]);
const LEVELS = new Set(["notice", "warning", "failure"]);

export interface StoredAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  title?: string;
  message: string;
  raw_details?: string;
}

export interface StoredCheckRun {
  id: number;
  name: string;
  headSha: string;
  externalId: string;
  detailsUrl: string | null;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: StoredAnnotation[];
  /** Each accepted write, in order: its method and how many annotations it carried. */
  writes: { method: "POST" | "PATCH"; annotations: number; status: string }[];
}

function invalid(detail: string): ValidationError {
  return new ValidationError({ message: `Invalid request.\n\n${detail}`, documentation_url: "https://docs.github.com/rest/checks/runs", status: "422" });
}

const isString = (v: unknown): v is string => typeof v === "string";
const isLine = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

function checkAnnotation(a: Json, index: number): StoredAnnotation {
  const where = `output.annotations[${index}]`;
  if (!a || typeof a !== "object") throw invalid(`${where} is not an object.`);
  const missing = ["path", "start_line", "end_line", "annotation_level", "message"].filter((k) => a[k] === undefined);
  if (missing.length) throw invalid(`${missing.map((k) => `"${k}"`).join(", ")} ${missing.length > 1 ? "weren't" : "wasn't"} supplied in ${where}.`);
  if (!isString(a.path) || !isString(a.message) || !isLine(a.start_line) || !isLine(a.end_line)) throw invalid(`${where} has a field of the wrong type.`);
  if (!LEVELS.has(a.annotation_level)) throw invalid(`${where}.annotation_level is not a member of notice, warning, failure.`);
  if (a.end_line < a.start_line) throw invalid(`${where}.end_line is before start_line.`);
  if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line) {
    throw invalid(`${where}: start_column and end_column are only valid when start_line and end_line are the same.`);
  }
  if (a.title !== undefined && !isString(a.title)) throw invalid(`${where}.title is not a string.`);
  if (a.raw_details !== undefined && !isString(a.raw_details)) throw invalid(`${where}.raw_details is not a string.`);
  // GitHub's documented maxima: title 255 characters, message and raw_details 64 KB each.
  if (isString(a.title) && a.title.length > MAX_ANNOTATION_TITLE) throw invalid(`${where}.title is too long (maximum is ${MAX_ANNOTATION_TITLE} characters).`);
  for (const key of ["message", "raw_details"] as const) {
    if (isString(a[key]) && Buffer.byteLength(a[key]) > MAX_ANNOTATION_BYTES) throw invalid(`${where}.${key} is too large (maximum is 64 KB).`);
  }
  const stored: StoredAnnotation = { path: a.path, start_line: a.start_line, end_line: a.end_line, annotation_level: a.annotation_level, message: a.message };
  if (a.start_column !== undefined) stored.start_column = a.start_column;
  if (a.end_column !== undefined) stored.end_column = a.end_column;
  if (a.title !== undefined) stored.title = a.title;
  if (a.raw_details !== undefined) stored.raw_details = a.raw_details;
  return stored;
}

interface CheckedWrite {
  status?: string;
  conclusion?: string;
  startedAt?: string;
  completedAt?: string;
  externalId?: string;
  detailsUrl?: string;
  name?: string;
  output?: { title: string; summary: string; text?: string };
  annotations: StoredAnnotation[];
}

/** The body of a create or an update, checked against GitHub's schema. */
export function checkRunWrite(body: Json): CheckedWrite {
  const b = body ?? {};
  const out: CheckedWrite = { annotations: [] };
  if (b.name !== undefined) {
    if (!isString(b.name) || !b.name) throw invalid(`"name" is not a non-empty string.`);
    out.name = b.name;
  }
  if (b.status !== undefined) {
    if (!STATUSES.has(b.status)) throw invalid(`"status" ${JSON.stringify(b.status)} is not a member of queued, in_progress, completed.`);
    out.status = b.status;
  }
  if (b.conclusion !== undefined) {
    if (!CONCLUSIONS.has(b.conclusion)) throw invalid(`"conclusion" ${JSON.stringify(b.conclusion)} is not a valid conclusion.`);
    if (b.conclusion === "stale") throw invalid(`"conclusion" cannot be stale: only GitHub sets it.`);
    if (out.status !== undefined && out.status !== "completed") throw invalid(`"conclusion" is only allowed with a status of completed (got ${out.status}).`);
    out.conclusion = b.conclusion;
    out.status = "completed";
  }
  if ((out.status === "completed" || b.completed_at !== undefined) && out.conclusion === undefined) {
    throw invalid(`"conclusion" is required when "status" is completed or "completed_at" is given.`);
  }
  for (const key of ["started_at", "completed_at"] as const) {
    if (b[key] !== undefined && (!isString(b[key]) || Number.isNaN(Date.parse(b[key])))) throw invalid(`"${key}" is not an ISO 8601 timestamp.`);
  }
  if (b.started_at !== undefined) out.startedAt = isoSeconds(Date.parse(b.started_at));
  if (b.completed_at !== undefined) out.completedAt = isoSeconds(Date.parse(b.completed_at));
  if (b.external_id !== undefined) {
    if (!isString(b.external_id)) throw invalid(`"external_id" is not a string.`);
    out.externalId = b.external_id;
  }
  if (b.details_url !== undefined) {
    if (!isString(b.details_url)) throw invalid(`"details_url" is not a string.`);
    out.detailsUrl = b.details_url;
  }
  if (b.output !== undefined) {
    const o = b.output;
    if (!o || typeof o !== "object") throw invalid(`"output" is not an object.`);
    const missing = ["title", "summary"].filter((k) => o[k] === undefined || o[k] === null);
    if (missing.length) throw invalid(`${missing.map((k) => `"${k}"`).join(", ")} ${missing.length > 1 ? "weren't" : "wasn't"} supplied.`);
    if (!isString(o.title) || !isString(o.summary)) throw invalid(`"output.title" and "output.summary" must be strings.`);
    if (o.summary.length > MAX_OUTPUT_LENGTH) throw invalid(`"output.summary" is too long (maximum is ${MAX_OUTPUT_LENGTH} characters).`);
    if (o.text !== undefined && (!isString(o.text) || o.text.length > MAX_OUTPUT_LENGTH)) {
      throw invalid(`"output.text" is too long (maximum is ${MAX_OUTPUT_LENGTH} characters).`);
    }
    if (o.annotations !== undefined) {
      if (!Array.isArray(o.annotations)) throw invalid(`"output.annotations" is not an array.`);
      if (o.annotations.length > MAX_ANNOTATIONS_PER_REQUEST) {
        throw invalid(`"output.annotations" has ${o.annotations.length} items: only ${MAX_ANNOTATIONS_PER_REQUEST} annotations are allowed per request.`);
      }
      out.annotations = o.annotations.map(checkAnnotation);
    }
    out.output = { title: o.title, summary: o.summary, ...(o.text !== undefined ? { text: o.text } : {}) };
  }
  return out;
}

export class CheckRunStore {
  readonly runs: StoredCheckRun[] = [];

  constructor(private readonly where: { now: () => number; nextId: () => number }) {}

  get(id: number): StoredCheckRun | undefined {
    return this.runs.find((r) => r.id === id);
  }

  create(headSha: string, body: Json): StoredCheckRun {
    const w = checkRunWrite(body);
    if (w.name === undefined) throw invalid(`"name" wasn't supplied.`);
    const now = isoSeconds(this.where.now());
    const status = w.status ?? "queued";
    const run: StoredCheckRun = {
      id: this.where.nextId(),
      name: w.name,
      headSha,
      externalId: w.externalId ?? "",
      detailsUrl: w.detailsUrl ?? null,
      status,
      conclusion: w.conclusion ?? null,
      startedAt: w.startedAt ?? now,
      completedAt: status === "completed" ? (w.completedAt ?? now) : null,
      output: { title: w.output?.title ?? null, summary: w.output?.summary ?? null, text: w.output?.text ?? null },
      annotations: [...w.annotations],
      writes: [{ method: "POST", annotations: w.annotations.length, status }],
    };
    this.runs.push(run);
    return run;
  }

  update(run: StoredCheckRun, body: Json): StoredCheckRun {
    const w = checkRunWrite(body);
    if (w.name !== undefined) run.name = w.name;
    if (w.externalId !== undefined) run.externalId = w.externalId;
    if (w.detailsUrl !== undefined) run.detailsUrl = w.detailsUrl;
    if (w.startedAt !== undefined) run.startedAt = w.startedAt;
    if (w.status !== undefined) run.status = w.status;
    if (w.conclusion !== undefined) run.conclusion = w.conclusion;
    if (run.status === "completed") run.completedAt = w.completedAt ?? run.completedAt ?? isoSeconds(this.where.now());
    if (w.output) run.output = { title: w.output.title, summary: w.output.summary, text: w.output.text ?? run.output.text };
    run.annotations.push(...w.annotations);
    run.writes.push({ method: "PATCH", annotations: w.annotations.length, status: run.status });
    return run;
  }
}

export interface CheckRunContext {
  site: Site;
  fullName: string;
  app: Json;
  /** Pull requests of this repository whose head is the run's commit (`pull_requests`). */
  pullRequests: Json[];
  checkSuiteId: number;
}

export function checkRunJson(run: StoredCheckRun, ctx: CheckRunContext): Json {
  const api = `${ctx.site.api}/repos/${ctx.fullName}`;
  return {
    ...localExample("check-run", ctx.site),
    id: run.id,
    head_sha: run.headSha,
    node_id: `CR_kwDO${run.id}`,
    external_id: run.externalId,
    url: `${api}/check-runs/${run.id}`,
    html_url: `${ctx.site.web}/${ctx.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? ctx.app.html_url,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: ctx.checkSuiteId },
    app: ctx.app,
    pull_requests: ctx.pullRequests,
  };
}

export function annotationJson(a: StoredAnnotation, site: Site, fullName: string, headSha: string): Json {
  return {
    ...localExample("check-annotation-items", site)[0],
    path: a.path,
    start_line: a.start_line,
    end_line: a.end_line,
    start_column: a.start_column ?? null,
    end_column: a.end_column ?? null,
    annotation_level: a.annotation_level,
    title: a.title ?? null,
    message: a.message,
    raw_details: a.raw_details ?? null,
    blob_href: `${site.web}/${fullName}/blob/${headSha}/${a.path.split("/").map(encodeURIComponent).join("/")}`,
  };
}
