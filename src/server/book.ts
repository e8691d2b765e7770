/**
 * The service's working set: the current market (validated, with its context and account binder), the parameter
 * sets (stored versions in force by the clock's day, else the bundled presets), and bound accounts cached by
 * (account version, market id): a figure is computed once per version of its inputs. Every served figure names
 * what it was computed from, and a read audit row records it (batched, committed within a second: audit.ts).
 *
 * This is wiring and caching, no business rule: numbers come from src/account through io/account-binder.ts. The live
 * engine (issue 11) takes over keeping figures current; it plugs in through the EventSink (ports.ts) and can serve
 * from its own book.
 * @module
 */
import { createHash } from "node:crypto";
import { accountDocument } from "../account/document.js";
import type { AccountDocument } from "../account/document.js";
import { evaluateAccount } from "../account/account.js";
import { previewFigures } from "../account/preview.js";
import type { PreviewFigures } from "../account/preview.js";
import type { AccountEvaluation } from "../account/account.js";
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import { createAccountBinder } from "../io/account-binder.js";
import type { AccountBinder, BoundAccount, ParameterSetResolver } from "../io/account-binder.js";
import { validateMarket } from "../io/market.js";
import { loadPreset } from "../io/presets.js";
import type { MarketContext } from "../market/context.js";
import { buildMarketContext } from "../pricing/build-context.js";
import type { Store, StoredAccount, StoredMarket, StoredParameterSet } from "../store/port.js";
import { HttpError, httpFail } from "./http.js";
import type { Clock } from "./ports.js";

export interface CurrentMarket {
  readonly stored: StoredMarket;
  readonly context: MarketContext;
  readonly binder: AccountBinder;
}

/** What a served figure was computed from (the read audit row and the `computedFrom` field). */
export interface Provenance {
  readonly accountId: string;
  readonly accountVersion: number;
  readonly marketId: string;
  readonly model: string;
  readonly parameterSet: { readonly name: string; readonly version: string };
}

export interface Book {
  /** The current market, or 503 `unavailable` when none was PUT yet. */
  market(): Promise<CurrentMarket>;
  /** Validate and build a market document (issues with paths under `body`). */
  buildMarket(document: unknown): Result<{ id: string; timestampMs: number; context: MarketContext }>;
  /** Make a stored market current in memory (after its write committed). */
  setMarket(stored: StoredMarket, context: MarketContext): void;
  /** Forget parameter sets and bindings (after a parameter-set write). */
  parameterSetsChanged(): void;
  /** Bind a stored account on the current market (cached by version and market). */
  bound(account: StoredAccount): Promise<{ bound: BoundAccount; market: CurrentMarket; provenance: Provenance }>;
  /** Bind an account document (not stored yet) on the current market, for validation. */
  bindDocument(document: unknown): Promise<Result<BoundAccount>>;
  /**
   * The account's evaluation now (figures and health: the "before" of every what-if), cached with its binding by
   * version and market, so a what-if computes only the account after its trades.
   */
  evaluation(account: StoredAccount): Promise<{ bound: BoundAccount; evaluation: AccountEvaluation; provenance: Provenance }>;
  /**
   * The change-impact preview's "now" figures of an account (equity, IM, MM, health on the current market with its
   * parameter-set version in force), kept per binding: a preview evaluates only the candidate for accounts seen.
   */
  previewNow(account: StoredAccount): Promise<Result<PreviewFigures>>;
  /**
   * Bind every stored account and compute its preview "now" figures, in the background after start, yielding to
   * requests between accounts; stops when `signal` aborts. The first preview then evaluates only the candidate.
   */
  prewarm(signal: AbortSignal): Promise<void>;
  /**
   * Start a prewarm in the background, stopping the one running (its accounts' bindings are stale): after a start, and
   * after a market or parameter-set change, which make every binding stale. Returns when this run has finished or
   * stopped; never rejects (a failure is logged by `onError`).
   */
  rewarm(): Promise<void>;
  /** Stop the background prewarm (shutdown); settles once it has stopped. */
  stopWarming(): Promise<void>;
  /** Settles when the background prewarm running now (if any) has finished or stopped. */
  warmed(): Promise<void>;
  /** While a prewarm runs: how many stored accounts it has bound so far; null otherwise. */
  warming(): { readonly accountsDone: number } | null;
  /** The account document (`netrisk account --json --no-distance`), cached by version and market. */
  figures(account: StoredAccount): Promise<{ document: AccountDocument; provenance: Provenance; bound: BoundAccount }>;
  /**
   * The resolver of parameter sets as of the clock's day (`candidate` replaces one set's version: preview), or as of
   * an earlier instant `asOfMs` (the versions stored by then and in force on that day: the account history).
   */
  resolver(candidate?: StoredParameterSet, asOfMs?: number): Promise<ParameterSetResolver>;
  /** A binder on the current market with a candidate parameter-set version in force. */
  binderWith(candidate: StoredParameterSet): Promise<AccountBinder>;
}

/** Evaluations the book keeps for what-ifs (the most recently used accounts). */
const EVALUATIONS_KEPT = 2048;

export const marketIdOf = (document: unknown): string => createHash("sha256").update(JSON.stringify(document)).digest("hex").slice(0, 16);

/** The UTC day of a time, YYYY-MM-DD. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function createBook(store: Store, clock: Clock, onError: (e: unknown) => void = () => undefined): Book {
  let current: CurrentMarket | null = null;
  let loadedOnce = false;
  let sets: StoredParameterSet[] | null = null;
  let pending: Promise<void> = Promise.resolve();
  const cache = new Map<string, { version: number; marketId: string; bound: BoundAccount; document?: AccountDocument }>();
  // Evaluations of the accounts what-ifs were asked on, least recently used first: ~50 KB each for 50 positions,
  // so only the busiest are kept. Valid while their binding is the one cached (same object: version, market, sets).
  const evaluations = new Map<string, { bound: BoundAccount; evaluation: AccountEvaluation }>();
  // The preview's "now" figures (four numbers per account), valid while their binding is the one cached.
  const nowFigures = new Map<string, { bound: BoundAccount; figures: Result<PreviewFigures> }>();
  // The prewarm in progress (accounts bound so far), or null.
  let warm: { accountsDone: number } | null = null;
  // The background prewarm (rewarm): its stop and its end; and every run not yet ended (a stopped run ends at its next
  // check, which may be after a newer one started), so a shutdown waits for them all before the store closes.
  let background: { stop: AbortController; done: Promise<void> } | null = null;
  const running = new Set<Promise<void>>();
  // Set by the first rewarm: from then on a new day's bindings are made in the background too (followDay).
  let bindsInBackground = false;

  const storedSets = async (): Promise<StoredParameterSet[]> => (sets ??= await store.listParameterSets());

  /** Drop the bindings and rebuild the binder with the parameter sets in force now. */
  function rebind(): void {
    cache.clear();
    evaluations.clear();
    nowFigures.clear();
    const m = current;
    if (m !== null) {
      pending = resolver().then((res) => {
        if (current === m) current = { ...m, binder: createAccountBinder(m.context, res) };
      });
    }
  }

  // A stored version comes into force at 00:00 UTC of its effective day: when the clock's day changes, the bindings
  // made under yesterday's versions are dropped, so accounts follow the new version without a restart or a write.
  // Every request asks, so the check is a comparison with the next midnight, not a date formatted per request.
  const nextMidnightMs = (ms: number): number => (Math.floor(ms / 86_400_000) + 1) * 86_400_000;
  let boundDay = dayOf(clock.nowMs());
  let dayEndsMs = nextMidnightMs(clock.nowMs());
  function followDay(): void {
    const now = clock.nowMs();
    if (now < dayEndsMs && now >= dayEndsMs - 86_400_000) return;
    dayEndsMs = nextMidnightMs(now);
    const today = dayOf(now);
    if (today === boundDay) return;
    boundDay = today;
    rebind();
    // Bound again in the background, as after a market or parameter-set change, once the owner binds in the
    // background at all (the service after its start): the first request of the new day pays for its own account
    // only, not every later one for theirs.
    if (bindsInBackground) void rewarm();
  }

  // The resolver in force (no candidate, no earlier instant), kept while its stored sets (the same list) and its day
  // are: every fill hands the live engine its account's set (accountMessageOf), and a fresh resolver read the bundled
  // preset from disk and parsed it again each time (~3 % of a fill's CPU).
  let inForce: { sets: StoredParameterSet[]; day: string; resolve: ParameterSetResolver } | null = null;

  async function resolver(candidate?: StoredParameterSet, asOfMs?: number): Promise<ParameterSetResolver> {
    if (candidate === undefined && asOfMs === undefined) {
      const stored = await storedSets();
      const day = dayOf(clock.nowMs());
      if (inForce === null || inForce.sets !== stored || inForce.day !== day) inForce = { sets: stored, day, resolve: resolverOf(stored, undefined, undefined) };
      return inForce.resolve;
    }
    return resolverOf(await storedSets(), candidate, asOfMs);
  }

  function resolverOf(stored: readonly StoredParameterSet[], candidate: StoredParameterSet | undefined, asOfMs: number | undefined): ParameterSetResolver {
    const asOf = asOfMs === undefined ? undefined : new Date(asOfMs).toISOString();
    const all = stored.filter((s) => asOf === undefined || s.createdAt <= asOf);
    const today = dayOf(asOfMs ?? clock.nowMs());
    // The answer per (name, pin) is fixed for this resolver's life (its sets and day are): bind asks for every account,
    // and a bundled preset is otherwise read from disk and parsed each time (a third of binding an account).
    const answers = new Map<string, Result<{ name: string; version: string; document: unknown }>>();
    return (name, pinned) => {
      const key = `${name}\u0000${pinned ?? ""}`;
      let a = answers.get(key);
      if (a === undefined) answers.set(key, (a = answer(name, pinned)));
      return a;
    };
    function answer(name: string, pinned: string | undefined): Result<{ name: string; version: string; document: unknown }> {
      const versions = all.filter((s) => s.name === name && !(candidate !== undefined && s.name === candidate.name && s.version === candidate.version));
      if (candidate !== undefined && candidate.name === name) versions.push({ ...candidate, effective: "0000-01-01" });
      if (pinned !== undefined) {
        const v = versions.find((s) => s.version === pinned);
        if (v !== undefined) return ok({ name, version: v.version, document: v.document });
        const preset = loadPreset(name);
        const presetVersion = preset.ok ? (preset.value as { version?: unknown }).version : undefined;
        if (preset.ok && presetVersion === pinned) return ok({ name, version: pinned, document: preset.value });
        return fail(issue("invalid_value", "parameterSetVersion", `parameter set ${name} has no version ${pinned}`));
      }
      // The version in force: the latest effective on or before today (the candidate counts as in force).
      const inForce = versions.filter((s) => s.effective <= today).sort((a, b) => (a.effective === b.effective ? a.createdAt.localeCompare(b.createdAt) : a.effective.localeCompare(b.effective)));
      const v = inForce[inForce.length - 1];
      if (v !== undefined) return ok({ name, version: v.version, document: v.document });
      const preset = loadPreset(name);
      if (!preset.ok) return preset;
      const version = (preset.value as { version?: unknown }).version;
      return ok({ name, version: typeof version === "string" ? version : "preset", document: preset.value });
    }
  }

  function buildMarket(document: unknown): Result<{ id: string; timestampMs: number; context: MarketContext }> {
    const snap = validateMarket(document);
    if (!snap.ok) return fail(...snap.issues.map((i) => ({ ...i, path: i.path === "" ? "body" : `body.${i.path}` })));
    const ctx = buildMarketContext(snap.value);
    if (!ctx.ok) return fail(...ctx.issues.map((i) => ({ ...i, path: i.path === "" ? "body" : `body.${i.path}` })));
    return ok({ id: marketIdOf(document), timestampMs: snap.value.timestampMs, context: ctx.value });
  }

  async function market(): Promise<CurrentMarket> {
    if (current === null && !loadedOnce) {
      loadedOnce = true;
      const stored = await store.currentMarket();
      if (stored !== null) {
        const built = buildMarket(stored.document);
        if (built.ok) current = { stored, context: built.value.context, binder: createAccountBinder(built.value.context, await resolver()) };
      }
    }
    if (current === null) return httpFail("unavailable", "market", "no market yet: PUT /v1/market with a market snapshot first");
    return current;
  }

  const provenanceOf = (account: StoredAccount, m: CurrentMarket, b: BoundAccount): Provenance => ({
    accountId: account.id,
    accountVersion: account.version,
    marketId: m.stored.id,
    model: b.model.id,
    parameterSet: b.parameterSetRef,
  });

  async function bound(account: StoredAccount): Promise<{ bound: BoundAccount; market: CurrentMarket; provenance: Provenance }> {
    const m = await market();
    const hit = cache.get(account.id);
    if (hit !== undefined && hit.version === account.version && hit.marketId === m.stored.id) return { bound: hit.bound, market: m, provenance: provenanceOf(account, m, hit.bound) };
    const r = m.binder.bind(account.document);
    // A stored account that no longer binds (its instrument expired, the new market lacks its index): a 422-class
    // answer naming the account, not a crash.
    if (!r.ok) throw new HttpError(r.issues.map((i) => ({ ...i, path: `account.${i.path}` })), { status: 422 });
    cache.set(account.id, { version: account.version, marketId: m.stored.id, bound: r.value });
    return { bound: r.value, market: m, provenance: provenanceOf(account, m, r.value) };
  }

  async function previewNow(account: StoredAccount): Promise<Result<PreviewFigures>> {
    followDay();
    await pending;
    const b = await bound(account);
    const hit = nowFigures.get(account.id);
    if (hit !== undefined && hit.bound === b.bound) return hit.figures;
    const figures = previewFigures(b.bound.account);
    nowFigures.set(account.id, { bound: b.bound, figures });
    return figures;
  }

  async function prewarm(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    // This run's count: a run stopped by a newer one ends after it started, and must not clear the newer one's state.
    const mine = { accountsDone: 0 };
    warm = mine;
    try {
      try {
        await market();
      } catch {
        return; // no market yet: nothing to bind
      }
      let after: string | null = null;
      for (;;) {
        if (signal.aborted) return;
        const page = await store.listAccounts({ afterId: after, limit: 500 });
        for (const [i, a] of page.entries()) {
          if (signal.aborted) return;
          try {
            await previewNow(a);
          } catch {
            // An account that does not bind on this market: its own reads answer the coded error.
          }
          mine.accountsDone++;
          if (i % 20 === 19) await new Promise((r) => setImmediate(r));
        }
        if (page.length < 500) return;
        after = page[page.length - 1]?.id ?? null;
      }
    } finally {
      if (warm === mine) warm = null;
    }
  }

  /** Start a background prewarm, stopping the one running (see Book.rewarm). */
  function rewarm(): Promise<void> {
    bindsInBackground = true;
    background?.stop.abort();
    const stop = new AbortController();
    const run = { stop, done: prewarm(stop.signal).catch(onError) };
    background = run;
    running.add(run.done);
    void run.done.then(() => {
      running.delete(run.done);
      if (background === run) background = null;
    });
    return run.done;
  }

  return {
    market,
    buildMarket,
    setMarket(stored, context) {
      loadedOnce = true;
      current = { stored, context, binder: createAccountBinder(context, () => fail(issue("unavailable", "parameterSet", "parameter sets loading"))) };
      // The resolver is async (stored sets): every bind waits for `pending`, so the real binder is in place first.
      pending = resolver().then((res) => {
        if (current?.stored.id === stored.id) current = { stored, context, binder: createAccountBinder(context, res) };
      });
    },
    parameterSetsChanged() {
      sets = null;
      rebind();
    },
    bound: async (a) => {
      followDay();
      await pending;
      return bound(a);
    },
    async bindDocument(document) {
      followDay();
      await pending;
      return (await market()).binder.bind(document);
    },
    async evaluation(account) {
      followDay();
      await pending;
      const b = await bound(account);
      const hit = evaluations.get(account.id);
      evaluations.delete(account.id);
      if (hit !== undefined && hit.bound === b.bound) {
        evaluations.set(account.id, hit);
        return { bound: b.bound, evaluation: hit.evaluation, provenance: b.provenance };
      }
      const e = evaluateAccount(b.bound.account);
      if (!e.ok) throw new HttpError(e.issues, { status: 422 });
      evaluations.set(account.id, { bound: b.bound, evaluation: e.value });
      if (evaluations.size > EVALUATIONS_KEPT) evaluations.delete(evaluations.keys().next().value as string);
      return { bound: b.bound, evaluation: e.value, provenance: b.provenance };
    },
    previewNow,
    prewarm,
    rewarm,
    async stopWarming() {
      background?.stop.abort();
      await Promise.all([...running]);
    },
    warmed: async () => {
      await background?.done;
    },
    warming: () => (warm === null ? null : { accountsDone: warm.accountsDone }),
    async figures(account) {
      followDay();
      await pending;
      const b = await bound(account);
      const hit = cache.get(account.id);
      if (hit?.document !== undefined && hit.version === account.version && hit.marketId === b.market.stored.id) return { document: hit.document, provenance: b.provenance, bound: b.bound };
      const doc = accountDocument({ ...b.bound, accountRef: account.id, marketRef: b.market.stored.id }, { distance: false });
      if (!doc.ok) throw new HttpError(doc.issues, { status: 422 });
      if (hit !== undefined) hit.document = doc.value;
      return { document: doc.value, provenance: b.provenance, bound: b.bound };
    },
    resolver,
    async binderWith(candidate) {
      followDay();
      await pending;
      const m = await market();
      return createAccountBinder(m.context, await resolver(candidate));
    },
  };
}
