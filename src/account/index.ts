/**
 * The account layer: collateral and haircuts, equity and margin figures, health states and events, what-if and
 * pre-trade checks, maximum order size, distance to liquidation, projected margin, liquidation planning and hedge
 * suggestions, over any {@link MarginModel}. Pure: no I/O, no clock. Methodology: docs/methodology.md "Accounts,
 * health and liquidation".
 * @module
 */
export { createAccount, evaluateAccount, inEngine } from "./account.js";
export type { Account, AccountEvaluation, AccountFigures, BucketTierLine, CurrencyFigures, MarginBreakdown } from "./account.js";
export { collateralCharges, unpricedBalances } from "./collateral.js";
export type { CollateralCharges, CollateralLine } from "./collateral.js";
export { accountDocument, accountDocumentFromParts, accountDocumentParts, evaluationJson, projectedJson, tradeJson, whatIfDocument } from "./document.js";
export type { AccountDocument, AccountDocumentInputs, AccountDocumentOptions, AccountDocumentParts } from "./document.js";
export { applyFill, applyFills, applyFunding, DEFAULT_FILL_PRICE_BAND, settlePnl, settlementInstants } from "./fills.js";
export type { AccountFileDocument, DocumentPosition, Fill, FillOptions, FillOutcome, FillWarning, SettlementSchedule, WithCollateral } from "./fills.js";
export { CLOSED_RELATIVE, fillLot, lotKindOf, lotPnl } from "./lots.js";
export type { Lot, LotAfterFill, LotKind } from "./lots.js";
export { distanceToLiquidation, underlyingsOf } from "./distance.js";
export type { DirectionResult, DistanceOptions, DistanceReport, LiquidationPoint, UnderlyingDistance } from "./distance.js";
export { balanceInstrument, BALANCE_SUFFIX, createMarginEngine, isRiskMatrixModel, mergeRiskArrays, MODELS_VALUING_COLLATERAL, subsetRiskArrays } from "./engine.js";
export type { MarginEngine, MarginEngineOptions } from "./engine.js";
export { assessHealth, HEALTH_STATES, healthEvent, healthEvents, maintenanceRatioOf, severity } from "./health.js";
export type { HealthAssessment, HealthEvent, HealthFigures, HealthState } from "./health.js";
export { suggestHedges } from "./hedges.js";
export type { HedgeBudget, HedgeStep, HedgeSuggestions } from "./hedges.js";
export { applyLiquidationPlan, planLiquidation } from "./liquidation.js";
export type { LiquidationOptions, LiquidationPlan, PlanActionKind, PlanStep } from "./liquidation.js";
export { marketMover, moveMarket } from "./market-move.js";
export type { MarketMoves } from "./market-move.js";
export { borrowingPower, maxOrderSize, searchLargestAccepted } from "./max-order.js";
export type { BorrowingPower, MaxOrderOptions, MaxOrderResult, Side } from "./max-order.js";
export { applyMergePatch } from "./merge-patch.js";
export { nearestExpiryMs, projectedMargin, withoutNearestExpiry } from "./projected.js";
export type { ProjectedMargin } from "./projected.js";
export { accountRulesSchema, collateralRuleOf, DEFAULT_ACCOUNT_RULES, liquidationTargetOf, parseAccountRules } from "./rules.js";
export type { AccountRules, AccountRulesJson, CollateralRule, HealthThresholds, MarginTier, PegRule } from "./rules.js";
export { applyTiers } from "./tiers.js";
export type { TieredAmount } from "./tiers.js";
export { adjustBalances, applyTrades, halfSpreadOf, markOf, priceTrade, priceWithSlippage, validateTrades } from "./trades.js";
export type { Trade, TradeInput } from "./trades.js";
export { uniformShareLiquidation } from "./uniform-liquidation.js";
export type { UniformShareOptions, UniformShareResult, UniformShareRow } from "./uniform-liquidation.js";
export { positionValue, valuePositions } from "./valuation.js";
export type { PositionValue } from "./valuation.js";
export { describeTrades, preTradeDecision, usdText, whatIf, whatIfTrades } from "./what-if.js";
export type { WhatIfResult } from "./what-if.js";
