/**
 * Per-key serialisation inside one server process: calls with the same key run one after another, in arrival order;
 * other keys run concurrently. The fills route runs each account's writes through it, so concurrent fills on one
 * account queue here instead of racing on the account version (on PostgreSQL, with a connection pool, eight
 * clients racing on one account could lose five optimistic retries in a row and be refused a 409). The store's
 * version check still guards writers in other processes.
 * @module
 */
export type KeyedSerial = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

export function keyedSerial(): KeyedSerial {
  const tails = new Map<string, Promise<void>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn);
    // The next caller waits for this one to settle, whether it succeeded or failed.
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
