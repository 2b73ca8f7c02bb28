/**
 * nock with no way out: real network refused during each test, and after it every expected request
 * must have been made (an interceptor left unused means the code took another path).
 */
import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";

export function useStrictNock(): void {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending, "every expected request was made").toEqual([]);
  });
}
