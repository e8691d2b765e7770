/**
 * The `hybrid` margin model: max(risk-matrix margin, ES-based margin) + add-ons. Methodology: docs/methodology.md
 * "Hybrid model".
 * @module
 */
export { computeHybridMargin, createHybridModel, HYBRID_MODEL_ID } from "./model.js";
export type { HybridModel } from "./model.js";
