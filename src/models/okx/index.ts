/**
 * OKX portfolio margin: parameters (presets/okx.json), exposures, components MR1–MR9, the model.
 * @module
 */
export { createOkxModel, computeOkxMargin, OKX_ACCOUNT_BUCKET, OKX_MODEL_ID } from "./model.js";
export type { OkxModel } from "./model.js";
export { okxParamsSchema, parseOkxParams } from "./params.js";
export type { OkxParams, OkxUnitParams } from "./params.js";
export { volShockPoints } from "./revalue.js";
export { mr9, unitMmr } from "./components.js";
