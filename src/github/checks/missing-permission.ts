/**
 * How GitHub says an installation lacks a permission: 403 "Resource not accessible by integration".
 * After an app asks for a new permission (checks: write, security_events: write), every existing
 * installation keeps its old ones until an organization owner accepts the request, so this is an
 * expected answer for a while, not a failure.
 */
import { describeFailure } from "../requester.js";

export function isMissingPermission(error: unknown): boolean {
  const failure = describeFailure(error);
  return failure.status === 403 && /resource not accessible by integration/i.test(failure.message);
}
