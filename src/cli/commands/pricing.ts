/**
 * `netrisk price` (option calculator: price and Greeks) and `netrisk iv` (implied volatility), for one option from
 * flags or a whole batch file. Batch rows are grouped into struct-of-arrays columns and priced by the batch kernels,
 * so 100,000 rows take well under a second; each row's answer (or its error object) keeps its input order.
 * @module
 */
import type { Command } from "commander";
import { errorDocument, errorLine, issue, NetriskError, type ErrorDocument, type Issue } from "../../errors.js";
import { validateOptionRow, type OptionRow, type RowOutcome } from "../../io/option-batch.js";
import { black76GreeksBatch, impliedVolBatch, inverseGreeksBatch, type OptionChainColumns } from "../../pricing/batch.js";
import { DAYS_PER_YEAR } from "../../pricing/greeks.js";
import { readJson } from "../files.js";
import { fmt, table, toJson } from "../output.js";
import { emit, EXIT_INPUT, runCommand, type Io } from "../run.js";
import { parseNumberFlag } from "../flags.js";

/** Units of the per-row results, per settlement kind (also in docs/formats.md). */
export const PRICE_UNITS = {
  linear: {
    price: "USD per 1 coin of underlying",
    delta: "coin (dV/dF, discounted Black delta)",
    gamma: "coin per USD (d2V/dF2)",
    vega: "USD per vol point (0.01)",
    theta: "USD per calendar day (1/365.25 year), value change as time passes",
    rho: "USD per percentage point of rate, forward held",
  },
  inverse: {
    price: "coin per 1 coin of underlying (Deribit mark_price unit)",
    delta: "coin: Deribit's option delta = Black delta minus the coin price",
    gamma: "coin per USD^2 (d2V_coin/dF2)",
    vega: "coin per vol point (0.01)",
    theta: "coin per calendar day (1/365.25 year)",
    rho: "coin per percentage point of rate, forward held",
  },
} as const;

export interface PriceResult {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
  readonly rho: number;
}

/** A batch row's answer: its result, or the error document (src/errors.ts) of that row alone. */
type RowAnswer<T> = T | ErrorDocument;

function columns(rows: readonly OptionRow[]): OptionChainColumns {
  const n = rows.length;
  const c = {
    isCall: new Uint8Array(n),
    forwardUsd: new Float64Array(n),
    strikeUsd: new Float64Array(n),
    timeYears: new Float64Array(n),
    volDecimal: new Float64Array(n),
    rateDecimal: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    c.isCall[i] = r.isCall ? 1 : 0;
    c.forwardUsd[i] = r.forwardUsd;
    c.strikeUsd[i] = r.strikeUsd;
    c.timeYears[i] = r.timeYears;
    c.volDecimal[i] = r.value;
    c.rateDecimal[i] = r.rateDecimal;
  });
  return c;
}

/** Price and Greeks of validated rows (any mix of settlements), in input order. */
export function priceRows(rows: readonly OptionRow[]): PriceResult[] {
  const out: PriceResult[] = new Array<PriceResult>(rows.length);
  for (const settlement of ["linear", "inverse"] as const) {
    const idx: number[] = [];
    rows.forEach((r, i) => {
      if (r.settlement === settlement) idx.push(i);
    });
    if (idx.length === 0) continue;
    const chain = columns(idx.map((i) => rows[i] as OptionRow));
    const usd = black76GreeksBatch(chain);
    if (settlement === "linear") {
      idx.forEach((i, j) => {
        out[i] = {
          price: usd.priceUsd[j] as number,
          delta: usd.deltaCoin[j] as number,
          gamma: usd.gammaPerUsd[j] as number,
          vega: (usd.vegaUsdPerVol[j] as number) / 100,
          theta: (usd.thetaUsdPerYear[j] as number) / DAYS_PER_YEAR,
          rho: (usd.rhoUsdPerRate[j] as number) / 100,
        };
      });
    } else {
      const coin = inverseGreeksBatch(usd, chain.forwardUsd);
      idx.forEach((i, j) => {
        out[i] = {
          price: coin.priceCoin[j] as number,
          delta: coin.deltaCoin[j] as number,
          gamma: coin.gammaCoinPerUsd2[j] as number,
          vega: (coin.vegaCoinPerVol[j] as number) / 100,
          theta: (coin.thetaCoinPerYear[j] as number) / DAYS_PER_YEAR,
          rho: (coin.rhoCoinPerRate[j] as number) / 100,
        };
      });
    }
  }
  return out;
}

/** Implied vols of validated rows (value = price); a row without a solution gets its error object. */
export function impliedVolRows(rows: readonly OptionRow[]): RowAnswer<{ vol: number }>[] {
  const out: RowAnswer<{ vol: number }>[] = new Array<RowAnswer<{ vol: number }>>(rows.length);
  for (const settlement of ["linear", "inverse"] as const) {
    const idx: number[] = [];
    rows.forEach((r, i) => {
      if (r.settlement === settlement) idx.push(i);
    });
    if (idx.length === 0) continue;
    const chain = columns(idx.map((i) => rows[i] as OptionRow));
    // Rows are pre-validated, so the batch cannot fail as a whole; failures are per row.
    const solved = impliedVolBatch(chain, chain.volDecimal, settlement);
    if (!solved.ok) throw new NetriskError(solved.issues);
    const failed = new Map<number, Issue>();
    for (const iss of solved.value.issues) failed.set(Number(/\[(\d+)\]/.exec(iss.path)?.[1]), iss);
    idx.forEach((i, j) => {
      const f = failed.get(j);
      out[i] = f ? errorDocument([issue(f.code, `[${i}].price`, f.message)]) : { vol: solved.value.volDecimal[j] as number };
    });
  }
  return out;
}

function validateBatch(raw: unknown, file: string, field: "vol" | "price"): RowOutcome[] {
  if (!Array.isArray(raw)) throw new NetriskError([issue("invalid_type", file, "expected a JSON array of option rows")]);
  return raw.map((r, i) => validateOptionRow(r, i, field));
}

interface FlagOptions {
  type?: string;
  forward?: string;
  strike?: string;
  timeYears?: string;
  days?: string;
  vol?: string;
  price?: string;
  rate?: string;
  settlement?: string;
  batch?: string;
  json?: boolean;
}

/** Number flags of a single option, in the batch row's field names. */
const NUMBER_FLAGS = { forward: "--forward", strike: "--strike", timeYears: "--time-years", vol: "--vol", price: "--price", rate: "--rate" } as const;

/**
 * Turn flags into one raw row (validated like a batch row, so flags and files share every domain rule). Numbers are
 * parsed strictly first, so an error echoes the text as typed at the flag (`--days abc` at `--days`).
 */
function rowFromFlags(o: FlagOptions, field: "vol" | "price"): unknown {
  if (o.days !== undefined && o.timeYears !== undefined) {
    throw new NetriskError([issue("invalid_value", "--days", "give either --days or --time-years, not both")]);
  }
  const issues: Issue[] = [];
  const parse = (text: string | undefined, flag: string): number | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseNumberFlag(text, flag);
    } catch (e) {
      if (!(e instanceof NetriskError)) throw e;
      issues.push(...e.issues);
      return undefined;
    }
  };
  const days = parse(o.days, "--days");
  const row: Record<string, unknown> = {
    type: o.type,
    forward: parse(o.forward, NUMBER_FLAGS.forward),
    strike: parse(o.strike, NUMBER_FLAGS.strike),
    timeYears: days !== undefined ? days / DAYS_PER_YEAR : parse(o.timeYears, NUMBER_FLAGS.timeYears),
    [field]: parse(field === "vol" ? o.vol : o.price, NUMBER_FLAGS[field]),
    settlement: o.settlement ?? "linear",
  };
  if (o.rate !== undefined) row.rate = parse(o.rate, NUMBER_FLAGS.rate);
  if (issues.length > 0) throw new NetriskError(issues);
  return row;
}

/** Row issues at the flags the user typed (`[0].strike` → `--strike`; the time at whichever of --days / --time-years was given). */
function flagIssues(issues: readonly Issue[], o: FlagOptions): Issue[] {
  const flag: Record<string, string> = { ...NUMBER_FLAGS, timeYears: o.days !== undefined ? "--days" : "--time-years", type: "--type", settlement: "--settlement" };
  return issues.map((i) => {
    const field = i.path.replace(/^\[0\]\.?/, "");
    const at = flag[field] ?? field;
    // A missing required field is a missing flag: say which flag gives it.
    return i.code === "required" ? { ...i, path: at, message: `give ${at}${field === "timeYears" ? " (or --days)" : ""}` } : { ...i, path: at };
  });
}

function addOptionFlags(cmd: Command, valueFlag: string, valueHelp: string): Command {
  return cmd
    .option("--type <call|put>", "option type")
    .option("--forward <usd>", "forward (underlying) price, USD")
    .option("--strike <usd>", "strike, USD")
    .option("--time-years <years>", "time to expiry in years")
    .option("--days <days>", "time to expiry in calendar days (instead of --time-years; 365.25 days a year)")
    .option(valueFlag, valueHelp)
    .option("--rate <decimal>", "continuously-compounded rate, decimal (default 0, as at Deribit)")
    .option("--settlement <linear|inverse>", "linear: USD values; inverse: coin-settled values (Deribit BTC/ETH options)", "linear")
    .option("--batch <file>", "JSON array of rows instead of flags (docs/formats.md)")
    .option("--json", "machine-readable JSON output");
}

/**
 * The action shared by `price` and `iv`: one option from flags (`single`, given the validated row) or a batch file
 * answered by `batchAnswer`; a batch with invalid rows exits 2 after printing every answer.
 */
function optionAction<T>(io: Io, setExit: (code: number) => void, field: "vol" | "price", single: (row: OptionRow, json: boolean) => void, batchAnswer: (rows: readonly OptionRow[]) => T[]) {
  return async (o: FlagOptions): Promise<void> => {
    let exit = 0;
    const code = await runCommand(io, Boolean(o.json), () => {
      if (o.batch !== undefined) {
        exit = runBatch(io, o.batch, field, batchAnswer);
        return;
      }
      const v = validateOptionRow(rowFromFlags(o, field), 0, field);
      if (!v.ok) throw new NetriskError(flagIssues(v.issues, o));
      single(v.row, Boolean(o.json));
    });
    setExit(code !== 0 ? code : exit);
  };
}

export function registerPricing(program: Command, io: Io, setExit: (code: number) => void): void {
  addOptionFlags(
    program.command("price").description("Black-76 price and Greeks of an option (linear or coin-settled), from flags or a batch file"),
    "--vol <decimal>",
    "implied volatility, decimal (0.55 = 55%)",
  ).action(
    optionAction(io, setExit, "vol", (row, json) => {
      const [r] = priceRows([row]);
      const units = PRICE_UNITS[row.settlement];
      emit(io, json, { ...r, settlement: row.settlement, units }, () =>
        table(["", "value", "unit"], Object.entries(r ?? {}).map(([k, x]) => [k, fmt(x as number, 10), units[k as keyof typeof units]])),
      );
    }, priceRows),
  );

  addOptionFlags(
    program.command("iv").description("implied volatility of an option from its price (USD for linear, coin for inverse), from flags or a batch file"),
    "--price <value>",
    "option price: USD per coin (linear) or coin per coin (inverse)",
  ).action(
    optionAction(io, setExit, "price", (row, json) => {
      const [r] = impliedVolRows([row]);
      if (r && "error" in r) throw new NetriskError(r.error.issues.map((e) => issue(e.code, "--price", e.message)));
      emit(io, json, r, () => `implied volatility ${fmt((r as { vol: number }).vol, 12)} (decimal)`);
    }, impliedVolRows),
  );
}

/**
 * A batch file end to end: validate every row, answer the valid ones in one kernel call, put each answer (or the row's
 * error object) back in input order, print the JSON array; returns the exit status of {@link reportBatch}.
 */
function runBatch<T>(io: Io, file: string, field: "vol" | "price", answer: (rows: readonly OptionRow[]) => T[]): number {
  const outcomes = validateBatch(readOrThrow(file), file, field);
  const valid = outcomes.flatMap((x) => (x.ok ? [x.row] : []));
  const answered = answer(valid);
  let j = 0;
  const answers = outcomes.map((x) => (x.ok ? answered[j++] : errorDocument(x.issues)));
  const firstBad = outcomes.find((x) => !x.ok);
  const exit = reportBatch(io, answers, outcomes.length - valid.length, file, firstBad && !firstBad.ok ? firstBad.issues : []);
  // Batch output is always JSON (an array in input order): it is meant for scripts. --json is accepted for symmetry.
  io.out(toJson(answers, 0));
  return exit;
}

function readOrThrow(path: string): unknown {
  const r = readJson(path);
  if (!r.ok) throw new NetriskError(r.issues);
  return r.value;
}

/**
 * Batch exit status: malformed rows are input errors (exit 2, one line on stderr) but never cost the valid rows their
 * answers; a row whose price has no implied vol is an answer (an error object), not an input error.
 */
function reportBatch(io: Io, answers: readonly unknown[], invalidRows: number, file: string, firstIssues: readonly Issue[]): number {
  const errors = answers.filter((a) => a !== undefined && typeof a === "object" && "error" in (a as object)).length;
  if (invalidRows > 0) {
    // One coded line, the first bad field's: the output array holds every row's answer, invalid rows as error documents.
    const [first, ...rest] = firstIssues;
    const lead = first ?? issue("invalid_value", "", "invalid row");
    const context = `${file}: ${invalidRows} invalid row(s) of ${answers.length}; every row is answered in the output, invalid ones by an error document`;
    const line = errorLine([{ ...lead, message: `${lead.message} (${context})` }, ...rest]);
    io.err(`netrisk: error: ${line}`);
    return EXIT_INPUT;
  }
  if (errors > 0) io.err(`netrisk: warning: ${errors} row(s) of ${answers.length} have no answer (error documents in the output)`);
  return 0;
}
