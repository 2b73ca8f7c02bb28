/**
 * One repository's issues, comments and labels, kept as GitHub keeps them, so a sequence of
 * Keywarden runs sees the state it left behind: numbers never reused, every state change recorded
 * (tests assert "closed as completed, then reopened"), labels created on first use, `updated_at`
 * moving on each edit. The issue listing honours the filters Keywarden sends (state, creator,
 * labels, since, assignee, sort, direction) with GitHub's defaults (open, created, desc).
 *
 * Replies are GitHub's shapes (shapes.ts); what is stored is plain data tests can read directly.
 */
import { commentReply, issueReply, labelReply } from "../helpers/github-nock.js";
import { isoSeconds, localize, userJson, validationJson, type Json, type Site } from "./shapes.js";

export type IssueState = "open" | "closed";
export type StateReason = "completed" | "not_planned" | "reopened" | "duplicate" | null;
const STATE_REASONS = new Set(["completed", "not_planned", "reopened", "duplicate"]);

export interface Transition {
  at: string;
  /** Login of whoever made the change. */
  by: string;
  state: IssueState;
  stateReason: StateReason;
}

export interface StoredComment {
  id: number;
  body: string;
  user: Json;
  createdAt: string;
  updatedAt: string;
}

export interface StoredIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: IssueState;
  stateReason: StateReason;
  labels: string[];
  assignees: string[];
  user: Json;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: Json | null;
  comments: StoredComment[];
  /** Every state change, the creation first. */
  transitions: Transition[];
}

export interface StoredLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

/** Ids GitHub allocates across repositories. */
export interface IdSource {
  next(kind: "issue" | "comment" | "label"): number;
}

export class ValidationError extends Error {
  constructor(readonly body: Json) {
    super(body.message);
  }
}

export interface ListQuery {
  state?: string | null;
  creator?: string | null;
  labels?: string | null;
  since?: string | null;
  assignee?: string | null;
  sort?: string | null;
  direction?: string | null;
}

function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((l) => (typeof l === "string" ? l : (l as { name?: unknown })?.name)).filter((n): n is string => typeof n === "string");
}

export class IssueStore {
  readonly issues = new Map<number, StoredIssue>();
  readonly labels = new Map<string, StoredLabel>();
  /** With a GitHub that matches nothing for `creator=SLUG[bot]` (seen on Enterprise Cloud). */
  creatorFilterIgnoresBots = false;
  private nextNumber = 1;

  constructor(
    private readonly where: { owner: string; repo: string; site: Site; ids: IdSource; now: () => number },
  ) {}

  private get fullName(): string {
    return `${this.where.owner}/${this.where.repo}`;
  }

  private stamp(): string {
    return isoSeconds(this.where.now());
  }

  /** The next issue number; pull requests share the sequence, as on GitHub. */
  takeNumber(): number {
    return this.nextNumber++;
  }

  openCount(): number {
    return [...this.issues.values()].filter((i) => i.state === "open").length;
  }

  label(name: string): StoredLabel | undefined {
    return this.labels.get(name.toLowerCase());
  }

  /** Create a label; 422 `already_exists` when one of that name (any case) exists. */
  createLabel(fields: { name?: unknown; color?: unknown; description?: unknown }): StoredLabel {
    if (typeof fields.name !== "string" || !fields.name) throw new ValidationError(validationJson("Label", "missing_field", "name"));
    if (this.label(fields.name)) throw new ValidationError(validationJson("Label", "already_exists", "name"));
    const color = typeof fields.color === "string" ? fields.color.replace(/^#/, "") : "ededed";
    if (!/^[0-9a-fA-F]{6}$/.test(color)) throw new ValidationError(validationJson("Label", "invalid", "color"));
    const label = {
      id: this.where.ids.next("label"),
      name: fields.name,
      color,
      description: typeof fields.description === "string" ? fields.description : null,
    };
    this.labels.set(label.name.toLowerCase(), label);
    return label;
  }

  /** `PATCH /labels/{name}`: colour and description (the name stays). */
  updateLabel(label: StoredLabel, fields: { color?: unknown; description?: unknown }): StoredLabel {
    if (fields.color !== undefined) {
      const color = typeof fields.color === "string" ? fields.color.replace(/^#/, "") : "";
      if (!/^[0-9a-fA-F]{6}$/.test(color)) throw new ValidationError(validationJson("Label", "invalid", "color"));
      label.color = color;
    }
    if (fields.description !== undefined) label.description = typeof fields.description === "string" ? fields.description : null;
    return label;
  }

  /** Names as GitHub stores them: existing labels keep their case, unknown ones are created grey. */
  private useLabels(names: string[]): string[] {
    return [...new Set(names)].map((name) => (this.label(name) ?? this.createLabel({ name })).name);
  }

  /** Add an issue as created by `user` (a `userJson`/`botJson` object). */
  create(fields: { title?: unknown; body?: unknown; labels?: unknown; assignees?: unknown }, user: Json): StoredIssue {
    if (typeof fields.title !== "string" || fields.title === "") throw new ValidationError(validationJson("Issue", "missing_field", "title"));
    const at = this.stamp();
    const issue: StoredIssue = {
      id: this.where.ids.next("issue"),
      number: this.nextNumber++,
      title: fields.title,
      body: typeof fields.body === "string" ? fields.body : null,
      state: "open",
      stateReason: null,
      labels: this.useLabels(labelNames(fields.labels)),
      assignees: Array.isArray(fields.assignees) ? fields.assignees.filter((a): a is string => typeof a === "string") : [],
      user,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      closedBy: null,
      comments: [],
      transitions: [{ at, by: user.login, state: "open", stateReason: null }],
    };
    this.issues.set(issue.number, issue);
    return issue;
  }

  /** `PATCH /issues/{n}`: title, body, state, state_reason, labels, assignees. */
  edit(issue: StoredIssue, fields: Record<string, unknown>, user: Json): StoredIssue {
    const { state, state_reason: reason } = fields;
    if (state !== undefined && state !== "open" && state !== "closed") throw new ValidationError(validationJson("Issue", "invalid", "state"));
    if (reason !== undefined && reason !== null && !STATE_REASONS.has(String(reason))) {
      throw new ValidationError(validationJson("Issue", "invalid", "state_reason"));
    }
    const at = this.stamp();
    if (typeof fields.title === "string") issue.title = fields.title;
    if (fields.body !== undefined) issue.body = typeof fields.body === "string" ? fields.body : null;
    if (fields.labels !== undefined) issue.labels = this.useLabels(labelNames(fields.labels));
    if (Array.isArray(fields.assignees)) issue.assignees = fields.assignees.filter((a): a is string => typeof a === "string");
    const nextState = (state as IssueState | undefined) ?? issue.state;
    let nextReason = issue.stateReason;
    if (nextState === "closed") nextReason = (reason as StateReason | undefined) ?? (issue.state === "closed" ? issue.stateReason : "completed");
    else if (issue.state === "closed") nextReason = "reopened";
    if (nextState !== issue.state || nextReason !== issue.stateReason) {
      if (nextState === "closed" && issue.state === "open") {
        issue.closedAt = at;
        issue.closedBy = user;
      }
      if (nextState === "open") issue.closedAt = null;
      issue.state = nextState;
      issue.stateReason = nextReason;
      issue.transitions.push({ at, by: user.login, state: nextState, stateReason: nextReason });
    }
    issue.updatedAt = at;
    return issue;
  }

  comment(issue: StoredIssue, body: unknown, user: Json): StoredComment {
    if (typeof body !== "string" || body === "") throw new ValidationError(validationJson("IssueComment", "missing_field", "body"));
    const at = this.stamp();
    const comment = { id: this.where.ids.next("comment"), body, user, createdAt: at, updatedAt: at };
    issue.comments.push(comment);
    issue.updatedAt = at;
    return comment;
  }

  /** The listing's filters and order, as GitHub applies them. */
  list(query: ListQuery): StoredIssue[] {
    let list = [...this.issues.values()];
    const state = query.state ?? "open";
    if (state !== "all") list = list.filter((i) => i.state === state);
    if (query.creator) {
      const creator = query.creator.toLowerCase();
      list = this.creatorFilterIgnoresBots && creator.endsWith("[bot]") ? [] : list.filter((i) => String(i.user.login).toLowerCase() === creator);
    }
    if (query.labels) {
      const wanted = query.labels.split(",").map((l) => l.trim().toLowerCase()).filter(Boolean);
      list = list.filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)));
    }
    if (query.since) {
      const since = Date.parse(query.since);
      if (!Number.isNaN(since)) list = list.filter((i) => Date.parse(i.updatedAt) >= since);
    }
    if (query.assignee === "none") list = list.filter((i) => i.assignees.length === 0);
    else if (query.assignee === "*") list = list.filter((i) => i.assignees.length > 0);
    else if (query.assignee) list = list.filter((i) => i.assignees.some((a) => a.toLowerCase() === query.assignee!.toLowerCase()));
    const key = (i: StoredIssue): number =>
      query.sort === "updated" ? Date.parse(i.updatedAt) : query.sort === "comments" ? i.comments.length : i.number;
    const sign = query.direction === "asc" ? 1 : -1;
    return list.sort((a, b) => sign * (key(a) - key(b) || a.number - b.number));
  }

  // -------------------------------------------------------------------------------------------
  // Replies.

  labelJson(label: StoredLabel): Json {
    const { site } = this.where;
    const json = localize(labelReply({ owner: this.where.owner, repo: this.where.repo, api: site.api, web: site.web, name: label.name }), site);
    return {
      ...json,
      id: label.id,
      node_id: `LA_kwDO${label.id}`,
      name: label.name,
      color: label.color,
      description: label.description,
      url: `${site.api}/repos/${this.fullName}/labels/${encodeURIComponent(label.name)}`,
    };
  }

  issueJson(issue: StoredIssue): Json {
    const { site } = this.where;
    const template = issueReply({
      owner: this.where.owner,
      repo: this.where.repo,
      api: site.api,
      web: site.web,
      number: issue.number,
      title: "",
      body: null,
      state: issue.state,
      state_reason: issue.stateReason,
      user: issue.user,
    });
    const json = localize(template, site, [["octocat/Hello-World", this.fullName]]);
    const assignees = issue.assignees.map((login, i) => userJson(login, 700_000 + i, site));
    return {
      ...json,
      id: issue.id,
      node_id: `I_kwDO${issue.id}`,
      title: issue.title,
      body: issue.body,
      user: issue.user,
      labels: issue.labels.map((name) => this.labelJson(this.label(name) ?? { id: 0, name, color: "ededed", description: null })),
      assignee: assignees[0] ?? null,
      assignees,
      comments: issue.comments.length,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      closed_by: issue.closedBy,
      locked: false,
      active_lock_reason: null,
      pinned_comment: null,
      milestone: null,
    };
  }

  commentJson(issue: StoredIssue, comment: StoredComment): Json {
    const { site } = this.where;
    const template = commentReply({ owner: this.where.owner, repo: this.where.repo, api: site.api, web: site.web, id: comment.id, issueNumber: issue.number, body: "" });
    const json = localize(template, site, [["octocat/Hello-World", this.fullName]]);
    return {
      ...json,
      node_id: `IC_kwDO${comment.id}`,
      body: comment.body,
      user: comment.user,
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
    };
  }
}
