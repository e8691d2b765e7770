/**
 * Request schemas of the API (zod): they validate requests AND generate /openapi.json (openapi.ts), so the document
 * cannot drift from what the server accepts. Sizes, prices and balances accept decimal strings ("0.1") as well as
 * numbers; they are stored and computed as the engine's doubles.
 * @module
 */
import { z } from "zod";

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number, or a decimal string parsed to one (no hex, no "Infinity"). */
export const decimal = z
  .union([z.number(), z.string().regex(DECIMAL, "expected a decimal number such as 0.25 or \"0.25\"")])
  .transform((v) => (typeof v === "string" ? Number(v) : v))
  .pipe(z.number().finite("must be a finite number"))
  .meta({ description: "A number, or a decimal string (\"0.25\")." });

export const accountIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "account ids are 1-100 of A-Z a-z 0-9 _ . : -");

const positionBody = z.looseObject({
  instrument: z.string(),
  size: decimal.optional(),
  sizeUsd: decimal.optional(),
  averagePrice: decimal.optional(),
  unrealisedPnlUsdc: decimal.optional(),
  unrealisedFundingUsdc: decimal.optional(),
});

/** An account in the account file format (docs/formats.md), decimal strings allowed where numbers go. */
export const accountBodySchema = z
  .looseObject({
    positions: z.array(positionBody),
    collateral: z.record(z.string(), decimal).optional(),
    model: z.string().optional(),
    parameterSet: z.union([z.string(), z.looseObject({})]).optional(),
    parameterSetVersion: z.string().optional(),
    overrides: z.looseObject({}).optional(),
  })
  .meta({ title: "Account", description: "An account in the account file format (docs/formats.md); validated against the current market." });

export const fillSchema = z
  .strictObject({
    instrument: z.string().meta({ description: "Instrument name (Deribit style, or an OKX id)." }),
    size: decimal.optional().meta({ description: "Signed size in base coin (+ buy)." }),
    sizeUsd: decimal.optional().meta({ description: "Inverse futures and perpetuals: signed USD notional (contracts)." }),
    price: decimal.meta({ description: "Execution price in the instrument's quote unit." }),
    fee: decimal.optional().meta({ description: "Fee paid, in feeCurrency (default the settlement currency)." }),
    feeCurrency: z.string().optional(),
    tradeId: z.string().min(1).max(200).meta({ description: "The venue's trade id: a fill is applied once per account and trade id." }),
    timestamp: z.string().optional().meta({ description: "When the trade happened (ISO 8601), stored as given." }),
  })
  .meta({ title: "Fill" });

export const fillsBodySchema = z.union([fillSchema, z.array(fillSchema).min(1).max(1000)]).meta({ description: "One fill or a list of fills (applied in order, all or none)." });

export const tradesBodySchema = z.strictObject({
  trades: z
    .array(z.strictObject({ instrument: z.string(), size: decimal, price: decimal.optional() }))
    .min(1)
    .max(200)
    .meta({ description: "Hypothetical trades: size signed in base coin, price in the quote unit (default the mark)." }),
  include: z
    .array(z.enum(["greeks", "distance"]))
    .max(2)
    .optional()
    .meta({ description: "Also compute, before and after the trades: Greeks per underlying and expiry (as GET .../greeks), the distance to liquidation (as GET .../distance)." }),
});

export const maxOrderBodySchema = z.strictObject({
  instrument: z.string(),
  side: z.enum(["buy", "sell"]),
  price: decimal.optional(),
  lot: decimal.optional(),
});

export const liquidationBodySchema = z.strictObject({
  target: decimal.optional(),
  step: decimal.optional(),
  fee: decimal.optional(),
  preemptive: z.boolean().optional(),
  hedges: z.boolean().optional(),
});

export const hedgesBodySchema = z.strictObject({
  candidates: z.array(z.string()).min(1).max(100),
  maxTrades: z.number().int().min(1).max(20).optional(),
  maxCost: decimal.optional(),
});

export const listQuerySchema = z.strictObject({
  health: z.enum(["healthy", "warning", "margin_call", "liquidation", "bankrupt"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().optional(),
});

export const keyCreateSchema = z.strictObject({
  role: z.enum(["admin", "risk", "trader", "feed"]),
  accounts: z.array(accountIdSchema).max(1000).optional(),
  label: z.string().max(200).optional(),
});

export const parameterSetBodySchema = z.strictObject({
  effective: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "effective is a UTC day, YYYY-MM-DD"),
  model: z.string().optional().meta({ description: "The model the set is for (default: the set's own `model` field, else deribit)." }),
  parameters: z.looseObject({}).meta({ description: "The parameter set in the preset format (presets/*.json)." }),
});

export const previewBodySchema = z.strictObject({
  version: z.string().optional().meta({ description: "A stored candidate version of the set." }),
  parameters: z.looseObject({}).optional().meta({ description: "Or a candidate parameter set given inline." }),
  model: z.string().optional(),
});

export const balanceChangeSchema = z
  .strictObject({
    currency: z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "a currency code such as USDC or BTC").meta({ description: "The balance's currency: one the market prices (an index)." }),
    amount: decimal.meta({ description: "Signed amount in the currency: + a deposit or a transfer in, − a withdrawal or a transfer out. Not 0." }),
    reason: z.string().max(200).optional().meta({ description: "Free text kept with the change (deposit, withdrawal, transfer, ...)." }),
  })
  .meta({ title: "BalanceChange" });

export const balanceChangesBodySchema = z
  .union([balanceChangeSchema, z.array(balanceChangeSchema).min(1).max(100)])
  .meta({ description: "One balance change or a list (applied in order, all or none)." });
