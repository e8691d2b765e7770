/**
 * The dashboard's only way to data: the documented `/v1` routes (docs/server.md, /openapi.json) with the API key as a
 * Bearer credential. The key is entered once and kept in session storage (gone when the tab closes), or arrives in
 * the URL fragment (`#key=...`, never sent to the server), from where it is moved to session storage and erased from
 * the address bar. Nothing here knows a margin rule: the types below are the public answers' shapes.
 * @module
 */
const KEY = "netrisk.apiKey";

export function getKey(): string | null {
  return sessionStorage.getItem(KEY);
}
export function setKey(k: string): void {
  sessionStorage.setItem(KEY, k.trim());
}
export function clearKey(): void {
  sessionStorage.removeItem(KEY);
}

/** Move `key=` from the fragment (`#key=...` or `#/page?key=...`) into session storage; true when one was there. */
export function takeKeyFromFragment(): boolean {
  const h = location.hash;
  const m = /(?:^#|[?&#])key=([^&]+)/.exec(h);
  if (m === null || m[1] === undefined) return false;
  setKey(decodeURIComponent(m[1]));
  let rest = h.replace(/([?&#])key=[^&]+&?/, "$1").replace(/[?&]$/, "");
  if (rest === "#" || rest === "") rest = "#/";
  history.replaceState(null, "", `${location.pathname}${location.search}${rest}`);
  return true;
}

export interface Issue {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly issues: readonly Issue[],
  ) {
    super(issues[0] !== undefined ? `${issues[0].message}${issues[0].path ? ` (${issues[0].path})` : ""}` : `HTTP ${status}`);
  }
}

/** Listeners told when the key is refused (401), so the app shows the key form again. */
const unauthorised = new Set<() => void>();
export function onUnauthorised(f: () => void): () => void {
  unauthorised.add(f);
  return () => unauthorised.delete(f);
}

/** The server's clock offset (server − browser, ms) from the last answer's Date header. */
export let serverClockOffsetMs = 0;

export async function api<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
  const key = getKey();
  const res = await fetch(path, {
    method,
    headers: { ...(key !== null ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const date = res.headers.get("date");
  if (date !== null) serverClockOffsetMs = Date.parse(date) - Date.now();
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(res.status, "invalid_json", [{ code: "invalid_json", path: "", message: `the server answered ${res.status} with no JSON` }]);
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; issues?: Issue[] } } | undefined)?.error;
    if (res.status === 401) for (const f of unauthorised) f();
    throw new ApiError(res.status, err?.code ?? String(res.status), err?.issues ?? []);
  }
  return parsed as T;
}

export const get = <T>(path: string): Promise<T> => api<T>("GET", path);
export const post = <T>(path: string, body: unknown): Promise<T> => api<T>("POST", path, body);
export const enc = encodeURIComponent;

// ---- answer shapes (docs/server.md) ---------------------------------------------------------------------------

export interface Figures {
  readonly equityUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  readonly availableFundsUsd: number;
  readonly maintenanceRatio: number | null;
  readonly initialMarginRatio?: number | null;
}
export interface Thresholds {
  readonly warningRatio: number;
  readonly marginCallRatio: number;
  readonly liquidationRatio: number;
}
export interface Whoami {
  readonly clientId: string;
  readonly role: "admin" | "risk" | "trader" | "feed";
  readonly accounts: readonly string[] | null;
}
export interface Summary {
  readonly accounts: number;
  readonly marketId: string;
  readonly byHealth: Readonly<Record<string, number>>;
  readonly totalUsd: { readonly equity: number; readonly initialMargin: number; readonly maintenanceMargin: number };
  readonly failed: readonly { id: string; code: string }[];
}
export interface RankedAccount {
  readonly id: string;
  readonly version: number;
  readonly health: string;
  readonly figures: Figures;
  readonly amountNeededUsd?: number;
  readonly toHealthyUsd?: number;
  readonly distance?: { readonly down: number | null; readonly up: number | null } | null;
}
export interface Rankings {
  readonly marketId: string;
  readonly accounts: number;
  readonly queue: Readonly<Record<"margin_call" | "liquidation" | "bankrupt", { count: number; accounts: RankedAccount[] }>>;
  readonly largestByInitialMargin: readonly RankedAccount[];
  readonly closestToLiquidation: readonly RankedAccount[];
}
export interface AccountListItem {
  readonly id: string;
  readonly version: number;
  readonly model: string;
  readonly health: string;
  readonly figures: Figures;
}
export interface Contribution {
  readonly instrument: string;
  readonly sizeCoin: number;
  readonly pnl: number;
}
export interface AccountDoc {
  readonly account: string;
  readonly model: string;
  readonly parameterSet: { readonly name: string; readonly version: string; readonly effective?: string; readonly preset?: string };
  readonly market: { readonly ref: string; readonly timestamp: string };
  readonly figures: Figures;
  readonly inCurrency: Readonly<Record<string, { priceUsd: number; equity: number; initialMargin: number; maintenanceMargin: number; availableFunds: number }>>;
  readonly health: { readonly state: string; readonly reason: string; readonly thresholds: Thresholds };
  readonly positions: readonly { instrument: string; sizeCoin: number; currency: string; markPrice: number; value: number; valueUsd: number }[];
  readonly collateral: readonly { currency: string; amount: number; priceUsd: number; valueUsd: number; treatment: string; imHaircutUsd: number; mmHaircutUsd: number }[];
  readonly margin: {
    readonly byCurrency?: Readonly<
      Record<string, { currency: string; initialMarginUsd?: number; maintenanceMarginUsd?: number; components?: Readonly<Record<string, number>>; worstScenario?: { id: string; priceMove: number; volMove: string } | null; contributions?: readonly Contribution[] }>
    >;
  };
  readonly notes?: readonly string[];
  readonly stale?: { readonly stale: true; readonly inputAgeMs: number; readonly underlyings: readonly string[] };
}
export interface AccountAnswer {
  readonly account: { readonly positions?: readonly { instrument: string; size?: number; sizeUsd?: number }[]; readonly collateral?: Readonly<Record<string, number>>; readonly model?: string };
  readonly version: number;
  readonly figures: AccountDoc;
  readonly computedFrom: { readonly marketId: string; readonly model: string; readonly parameterSet: { name: string; version: string } };
}
export interface Scenario {
  readonly id: string;
  readonly priceMove: number;
  readonly volMove: string;
  readonly tail: boolean;
  readonly pnl: number;
}
export interface ScenarioBucket {
  readonly bucket: string;
  readonly currency: string;
  readonly scenarios: readonly Scenario[];
  readonly worstScenario: string | null;
  readonly positions: readonly { instrument: string; sizeCoin: number; pnl: readonly number[] }[];
}
export interface GreeksLine {
  readonly underlying: string;
  readonly expiry: string;
  readonly expiryMs: number | null;
  readonly deltaCoin: number;
  readonly deltaUsd: number;
  readonly gammaCoinPerUsd: number;
  readonly gammaUsdPerPercent: number;
  readonly vegaUsd: number;
  readonly vegaCoin: number;
  readonly thetaUsd: number;
  readonly thetaCoin: number;
}
export interface GreeksAnswer {
  readonly lines: readonly GreeksLine[];
  readonly byUnderlying: Readonly<Record<string, Omit<GreeksLine, "underlying" | "expiry" | "expiryMs">>>;
}
export interface ShockPoint {
  readonly moveDecimal: number;
  readonly indexUsd: number;
  readonly equityUsd: number;
  readonly maintenanceMarginUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceRatio: number | null;
  readonly state: string;
}
export interface ShockCurve {
  readonly underlying: string;
  readonly points: readonly ShockPoint[];
  readonly breach: { readonly down: ShockPoint | null; readonly up: ShockPoint | null };
}
export interface DirectionResult {
  readonly liquidation: { moveDecimal: number; indexUsd: Readonly<Record<string, number>>; equityUsd: number; maintenanceMarginUsd: number } | null;
  readonly searchedToDecimal: number;
}
export interface Distance {
  readonly alreadyLiquidatable: boolean;
  readonly underlyings: Readonly<Record<string, { indexUsd: number; down: DirectionResult; up: DirectionResult }>>;
  readonly together?: { readonly betas: Readonly<Record<string, number>>; readonly down: DirectionResult; readonly up: DirectionResult };
}
export interface HistoryPoint {
  readonly seq: number;
  readonly at: string;
  readonly cause: string;
  readonly accountVersion: number;
  readonly marketId: string;
  readonly parameterSet?: { name: string; version: string };
  readonly figures?: Figures;
  readonly state?: string;
  readonly error?: { code: string; message: string };
}
export interface History {
  readonly points: readonly HistoryPoint[];
  readonly parameterChanges: readonly { seq: number; at: string; name: string; version: string; effective: string }[];
  readonly thresholds: Thresholds | null;
  readonly truncated: boolean;
}
export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly accountId: string | null;
  readonly accountVersion: number | null;
  readonly detail: Record<string, unknown>;
}
export interface TradeLine {
  readonly instrument: string;
  readonly sizeCoin: number;
  readonly price: number;
  readonly priceSource: string;
  readonly markPrice: number;
  readonly cash?: number;
  readonly cashCurrency?: string;
  readonly costUsd: number;
}
export interface WhatIfSide {
  readonly figures: Figures;
  readonly state: string;
}
export interface WhatIf {
  readonly accepted: boolean;
  readonly reason: string;
  readonly trades: readonly TradeLine[];
  readonly before: WhatIfSide;
  readonly after: WhatIfSide;
  readonly change: { equityUsd: number; initialMarginUsd: number; maintenanceMarginUsd: number; availableFundsUsd: number };
  readonly analysis?: { before: { greeks?: GreeksAnswer; distanceToLiquidation?: Distance }; after: { greeks?: GreeksAnswer; distanceToLiquidation?: Distance } };
}
export interface MarketAnswer {
  readonly id: string;
  readonly timestamp: string;
  readonly market: { readonly index?: Readonly<Record<string, number>>; readonly instruments?: Readonly<Record<string, { markPrice?: number; markIv?: number }>> };
}
export interface ParameterSetsAnswer {
  readonly today: string;
  readonly sets: readonly { name: string; version: string; effective: string; model: string; createdAt: string; createdBy: string; inForce: boolean }[];
  readonly bundled?: readonly { name: string; version: string; effective: string; model: string; inForce: boolean }[];
}
export interface ParameterSetDoc {
  readonly name: string;
  readonly version: string;
  readonly effective: string;
  readonly model: string;
  readonly document: Record<string, unknown>;
  readonly bundled?: boolean;
}
export interface PreviewAccount {
  readonly id: string;
  readonly now: { initialMarginUsd: number; maintenanceMarginUsd: number; state: string; equityUsd?: number };
  readonly candidate: { initialMarginUsd: number; maintenanceMarginUsd: number; state: string };
  readonly change: { initialMarginUsd: number; maintenanceMarginUsd: number; initialMarginRelative?: number | null };
}
