/**
 * The book's preview "now" figures (src/server/book.ts `previewNow`, `prewarm`): computed in the background for every
 * stored account after start, equal to the library's figures on the same market and preset, kept per binding (a new
 * account version gets new figures), and a stopped prewarm reads nothing.
 */
import { describe, expect, it } from "vitest";
import { previewFigures } from "../../src/account/preview.js";
import { ok, unwrap } from "../../src/errors.js";
import { createAccountBinder } from "../../src/io/account-binder.js";
import { validateMarket } from "../../src/io/market.js";
import { loadPreset } from "../../src/io/presets.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { createBook, marketIdOf } from "../../src/server/book.js";
import { systemClock } from "../../src/server/ports.js";
import type { Store, StoredAccount } from "../../src/store/port.js";
import { exampleAccount, exampleMarket } from "./helpers.js";

const at = "2026-01-02T08:00:00.000Z";
const stored = (id: string, version: number, document: Record<string, unknown>): StoredAccount => ({ id, version, document, createdAt: at, updatedAt: at });

function library(document: unknown) {
  const ctx = unwrap(buildMarketContext(unwrap(validateMarket(exampleMarket()))));
  const resolve = (name: string) => {
    const p = loadPreset(name);
    return p.ok ? ok({ name, version: String((p.value as { version?: unknown }).version ?? "preset"), document: p.value }) : p;
  };
  return unwrap(previewFigures(unwrap(createAccountBinder(ctx, resolve).bind(document)).account));
}

/** A store with the example market and these accounts; counts its account listings. */
function fakeStore(accounts: StoredAccount[]) {
  const m = exampleMarket();
  const calls = { listAccounts: 0 };
  const store = {
    currentMarket: async () => ({ id: marketIdOf(m), timestampMs: 0, document: m, receivedAt: at, current: true }),
    listParameterSets: async () => [],
    listAccounts: async ({ afterId, limit }: { afterId?: string | null; limit: number }) => {
      calls.listAccounts++;
      return accounts.filter((a) => afterId === null || afterId === undefined || a.id > afterId).slice(0, limit);
    },
  } as unknown as Store;
  return { store, calls };
}

describe("book preview figures", () => {
  it("prewarms every account with the library's figures, per binding; an account that does not bind is skipped", async () => {
    const stressed = { positions: [{ instrument: "BTC-PERPETUAL", size: -10 }], collateral: { BTC: 0.75 } };
    const accounts = [stored("a", 1, exampleAccount()), stored("b", 1, stressed), stored("c", 1, { positions: [{ instrument: "NOPE-PERPETUAL", size: 1 }], collateral: {} })];
    const { store } = fakeStore(accounts);
    const book = createBook(store, systemClock);
    await book.prewarm(new AbortController().signal);
    expect(unwrap(await book.previewNow(accounts[0] as StoredAccount))).toEqual(library(exampleAccount()));
    expect(unwrap(await book.previewNow(accounts[1] as StoredAccount))).toEqual(library(stressed));
    // A new version of "a" (the stressed book) is bound and evaluated again, not served from the old binding.
    expect(unwrap(await book.previewNow(stored("a", 2, stressed)))).toEqual(library(stressed));
  });

  it("says it is warming, with the accounts bound so far, until it has bound every stored account", async () => {
    const accounts = [stored("a", 1, exampleAccount()), stored("b", 1, exampleAccount())];
    const { store } = fakeStore(accounts);
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const list = store.listAccounts.bind(store);
    const gated = { ...store, listAccounts: async (q: Parameters<Store["listAccounts"]>[0]) => (await gate, list(q)) } as Store;
    const book = createBook(gated, systemClock);
    expect(book.warming()).toBeNull();
    const done = book.prewarm(new AbortController().signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(book.warming()).toEqual({ accountsDone: 0 });
    release();
    await done;
    expect(book.warming()).toBeNull();
  });

  it("a rewarm stops the run in progress; stopping waits for every run, the stopped one too", async () => {
    const accounts = [stored("a", 1, exampleAccount()), stored("b", 1, exampleAccount())];
    const { store, calls } = fakeStore(accounts);
    // Each listing is held until its own release: the first run's, then the second's.
    const releases: (() => void)[] = [];
    const list = store.listAccounts.bind(store);
    const gated = { ...store, listAccounts: async (q: Parameters<Store["listAccounts"]>[0]) => (await new Promise<void>((r) => releases.push(r)), list(q)) } as Store;
    const book = createBook(gated, systemClock);
    const ended: string[] = [];
    void book.rewarm().then(() => ended.push("first"));
    await new Promise((r) => setTimeout(r, 20));
    void book.rewarm().then(() => ended.push("second"));
    await new Promise((r) => setTimeout(r, 20));
    expect(book.warming()).toEqual({ accountsDone: 0 });
    expect(releases).toHaveLength(2);
    let stopped = false;
    const stopping = book.stopWarming().then(() => (stopped = true));
    releases[1]?.();
    await new Promise((r) => setTimeout(r, 20));
    // The newer run has ended; the stop still waits for the one it replaced, held at its listing.
    expect(ended).toEqual(["second"]);
    expect(stopped).toBe(false);
    releases[0]?.();
    await stopping;
    expect(ended).toEqual(["second", "first"]);
    expect(book.warming()).toBeNull();
    expect(calls.listAccounts).toBe(2);
  });

  it("a stopped prewarm reads nothing", async () => {
    const { store, calls } = fakeStore([stored("a", 1, exampleAccount())]);
    const stop = new AbortController();
    stop.abort();
    await createBook(store, systemClock).prewarm(stop.signal);
    expect(calls.listAccounts).toBe(0);
  });
});
