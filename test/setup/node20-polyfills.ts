/**
 * nock 15 intercepts through @mswjs/interceptors, whose socket layer calls Promise.withResolvers
 * (Node 22+). Keywarden supports Node 20, which lacks it: define it for test processes only (the
 * application itself never calls it). Loaded through vitest's `setupFiles`, before any test file.
 */
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };

const P = Promise as unknown as { withResolvers?: WithResolvers };
if (typeof P.withResolvers !== "function") {
  P.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
