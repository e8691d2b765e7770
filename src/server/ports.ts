/**
 * The ports the service is wired from, besides the Store (store/port.ts): a Clock (the only source of "now"), a
 * Logger (pino's shape), and an EventSink (where the service publishes what changed; the live engine and the
 * transports subscribe). Adapters for production live here too; tests pass their own.
 * @module
 */

/** The only source of time in the service (the engine and the live core take time as an argument). */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock a test moves by hand. */
export function manualClock(startMs: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = startMs;
  return {
    nowMs: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** The subset of pino's logger the service uses (structured first argument, message second). */
export interface Logger {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Something that changed in the service, published after its write committed. */
export type ServiceEvent =
  | { readonly type: "account.updated"; readonly accountId: string; readonly version: number; readonly cause: "put" | "fills" | "balances" }
  | { readonly type: "market.updated"; readonly marketId: string; readonly timestampMs: number }
  | { readonly type: "parameter_set.updated"; readonly name: string; readonly version: string; readonly effective: string };

/**
 * Where committed changes go. The service publishes after each committed write; the live engine (issue 11) plugs in
 * a sink that feeds its core, the scale-out plugs in a transport. Publishing never fails a request: a sink that
 * throws is logged.
 */
export interface EventSink {
  publish(event: ServiceEvent): void;
}

/** Fan-out to subscribers in process (the default sink). */
export function inProcessEvents(): EventSink & { subscribe(fn: (e: ServiceEvent) => void): () => void } {
  const subs = new Set<(e: ServiceEvent) => void>();
  return {
    publish(e) {
      for (const fn of subs) fn(e);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}
