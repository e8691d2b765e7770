/**
 * Volatility surface per base currency: arbitrage-free raw SVI smiles per expiry, total variance interpolated
 * linearly in time at fixed log-moneyness, documented extrapolation in strike and time, sticky-strike and
 * sticky-moneyness shifts, and a fit report. Implementation in `./vol-surface/`; method in docs/methodology.md.
 * @module
 */
export type {
  CalendarViolation,
  QuoteFitError,
  SliceFitReport,
  SliceRepair,
  SurfaceFitReport,
  SviParams,
  VolQuote,
  VolSurface,
  VolSurfaceOptions,
  VolWeighting,
} from "./vol-surface/types.js";
export { buildVolSurface } from "./vol-surface/surface.js";
export {
  butterflyCheckGrid,
  checkButterfly,
  durrlemanG,
  rawSviFromSsvi,
  sviArgMin,
  sviDerivatives,
  sviMinTotalVariance,
  sviTotalVariance,
  sviWingSlopes,
} from "./vol-surface/svi.js";
export type { ButterflyCheck } from "./vol-surface/svi.js";
export { fitSviSlice } from "./vol-surface/svi-fit.js";
export type { SliceFit, SliceFitInput } from "./vol-surface/svi-fit.js";
export { MAX_VOL_DECIMAL } from "./vol-surface/validate.js";
