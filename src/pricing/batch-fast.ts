/**
 * Fast batch Black-76 prices of a whole option chain: the TypeScript kernel's formulas (black76PriceBatch in
 * ./batch.ts, normalised-black.ts) evaluated in WebAssembly SIMD (./wasm/black-module.ts) where almost every listed
 * option lies: ln(F/K), the intrinsic value and √(F·K) of every row, and the out-of-the-money value of every point in
 * region R2. Points outside R2 (regions R1, R3, R4), σ = 0, T = 0 and |ln(F/K)| > 700 go through the TypeScript
 * functions; without WebAssembly SIMD this is black76PriceBatch itself.
 *
 * Accuracy: the TypeScript kernel's contract, within 4·EPS·(1 + h² + t²) of mpmath (tested on the normalised-Black
 * fixture and on the Deribit chain). Not bit-identical to black76PriceBatch (the module's exp, log, expm1 and erfcx
 * round differently by an ulp or a few): the two agree to 8·EPS·(1 + h² + t²), see batch-fast.test.ts.
 *
 * Why several passes per block of rows: the module works on columns in its own memory, two points per instruction,
 * and a call into WebAssembly per option would cost more than the option. Pass 0 (module) does the per-row work;
 * pass 1 (TypeScript) collects one point per distinct (−|x|, s) into the module's group columns; pass 2 (module)
 * prices them; pass 3 (TypeScript) assembles discount, intrinsic value and settlement unit.
 * @module
 */
import { discountFactor, logMoneyness } from "./black76.js";
import { black76PriceBatch } from "./batch.js";
import type { OptionChainColumns, OptionSettlement } from "./batch.js";
import { normalisedBlackOtmCall, normalisedIntrinsic } from "./normalised-black.js";
import { blackKernel, GROUP_STRIDE, HOST_GROUP, inRegion2, WASM_GROUPS, WASM_JOBS, wasmGroup } from "./wasm/black-kernel.js";
import type { BlackKernel } from "./wasm/black-kernel.js";

/** Per-row marker: no out-of-the-money value (σ·√T = 0, intrinsic value only). */
const NO_SLOT = -1;
/** Rows per block; each row adds at most one point, so a block always fits the module's scratch. */
const BLOCK_ROWS = WASM_JOBS;

// Per-block scratch (a memo of buffers: results never depend on its previous contents).
const rowSlot = new Int32Array(BLOCK_ROWS);
const groupCount = new Int32Array(WASM_GROUPS);

/**
 * Prices of every option in the settlement unit (USD per coin for linear, coin per coin for inverse) into `out`
 * (allocated when absent): black76PriceBatch's results to a few EPS·(1 + h²), faster. Same domain (validate with
 * validateChain first). Where WebAssembly SIMD is unavailable this is black76PriceBatch itself.
 */
export function black76PriceBatchFast(chain: OptionChainColumns, settlement: OptionSettlement, out?: Float64Array): Float64Array {
  const kernel = blackKernel();
  if (kernel === null) return black76PriceBatch(chain, settlement, out);
  const n = chain.forwardUsd.length;
  const prices = out ?? new Float64Array(n);
  for (let start = 0; start < n; start += BLOCK_ROWS) priceBlock(chain, settlement, start, Math.min(n, start + BLOCK_ROWS), prices, kernel);
  return prices;
}

/** Beyond this |ln(F/K)| the module's moneyness pass is not used (its exp/log cover |x| <= 700 only). */
const MAX_MODULE_LOG_MONEYNESS = 700;

/** Rows [start, end) of the chain into prices. */
function priceBlock(
  chain: OptionChainColumns,
  settlement: OptionSettlement,
  start: number,
  end: number,
  prices: Float64Array,
  kernel: BlackKernel,
): void {
  const { isCall, forwardUsd, strikeUsd, timeYears, volDecimal } = chain;
  const { x: kx, s: ks, out: values, logMoneyness: xm, intrinsic, rootFK } = kernel;
  // Pass 0 (module, two rows per instruction): ln(F/K), the intrinsic value and √(F·K) of every row.
  kernel.forward.set(forwardUsd.subarray(start, end));
  kernel.strike.set(strikeUsd.subarray(start, end));
  kernel.isCall.set(isCall.subarray(start, end));
  kernel.rows(end - start);
  // Pass 1: one point per run of consecutive rows with the same (−|x|, s) (a call and a put at one strike share it),
  // written to its group's slot; rowSlot[r] is where row r's out-of-the-money value will be. √T is shared per expiry.
  groupCount.fill(0);
  let hostCount = 0;
  let tPrev = NaN;
  let sqrtT = 0;
  let xPrev = NaN;
  let sPrev = NaN;
  let slot = NO_SLOT;
  for (let i = start; i < end; i++) {
    const t = timeYears[i] as number;
    if (t !== tPrev) {
      sqrtT = Math.sqrt(t);
      tPrev = t;
    }
    const s = (volDecimal[i] as number) * sqrtT;
    const r = i - start;
    if (!(s > 0)) {
      rowSlot[r] = NO_SLOT;
      continue;
    }
    let x = xm[r] as number;
    if (!(Math.abs(x) <= MAX_MODULE_LOG_MONEYNESS)) {
      // Outside the module's log/exp range: ln(F/K) and the intrinsic value from the TypeScript functions.
      x = logMoneyness(forwardUsd[i] as number, strikeUsd[i] as number);
      xm[r] = x;
      const xc = isCall[i] === 1 ? x : -x;
      intrinsic[r] = xc > 0 ? normalisedIntrinsic(xc) : 0;
    }
    const xOtm = -Math.abs(x);
    if (xOtm !== xPrev || s !== sPrev) {
      const h = xOtm / s;
      if (inRegion2(h, 0.5 * s)) {
        const g = wasmGroup(h);
        const c = groupCount[g] as number;
        slot = g * GROUP_STRIDE + c;
        groupCount[g] = c + 1;
        kx[slot] = xOtm;
        ks[slot] = s;
      } else {
        slot = HOST_GROUP * GROUP_STRIDE + hostCount++;
        values[slot] = normalisedBlackOtmCall(xOtm, s);
      }
      xPrev = xOtm;
      sPrev = s;
    }
    rowSlot[r] = slot;
  }
  // Pass 2 (module): the out-of-the-money values, one call per group.
  for (let g = 0; g < WASM_GROUPS; g++) {
    const count = groupCount[g] as number;
    if (count > 0) kernel.otm(g * GROUP_STRIDE, count);
  }
  // Pass 3: assemble as black76PriceBatch: D·√(F·K)·(intrinsic + b_otm), then / F for coin.
  const inverse = settlement === "inverse";
  const rate = chain.rateDecimal;
  let discT = NaN;
  let discR = NaN;
  let disc = 1;
  for (let i = start; i < end; i++) {
    const f = forwardUsd[i] as number;
    const r = i - start;
    const at = rowSlot[r] as number;
    // Out of the money the intrinsic column holds 0 and 0 + otm = otm exactly: no branch on the option type here.
    let price =
      at === NO_SLOT
        ? Math.max(isCall[i] === 1 ? f - (strikeUsd[i] as number) : (strikeUsd[i] as number) - f, 0)
        : (rootFK[r] as number) * ((intrinsic[r] as number) + (values[at] as number));
    if (rate !== undefined) {
      const t = timeYears[i] as number;
      const rr = rate[i] as number;
      if (t !== discT || rr !== discR) {
        disc = discountFactor(rr, t);
        discT = t;
        discR = rr;
      }
      price = disc * price;
    }
    prices[i] = inverse ? price / f : price;
  }
}
