/**
 * WebAssembly SIMD aggregation kernels: Σ size × risk-array row per account, and the worst loss over scenarios.
 *
 * Why WebAssembly: V8 does not auto-vectorise JavaScript loops; the best plain TypeScript loop reaches ~1.8 G
 * accumulations/s on this project's machine, the `f64x2` SIMD loop below ~6 G/s (numbers in docs/methodology.md,
 * `## Performance`). The results are BIT-IDENTICAL to the TypeScript kernels of `../aggregate-ts.ts`: every scenario
 * is an independent lane, each accumulation is one IEEE multiply then one IEEE add (no fused multiply-add, which would
 * round differently), in the same position order, and the minimum is exact. The tests assert exact equality.
 *
 * Memory: the kernel owns one (unshared) linear memory holding the risk arrays, re-laid with an even row stride so a
 * row is `ceil(S/2)` aligned `v128` loads (the pad lane is 0 and cannot change a minimum that is also taken with 0),
 * a scratch area into which the account book is copied chunk by chunk (WebAssembly can only read its own memory),
 * and after it a mirror of the books (./mirror.ts): a caller that passes a book's stamp and generation counters has
 * each whole chunk of `MIRROR_ACCOUNTS` accounts copied once and read from there on every later call until
 * the book changes there. WHY: the per-call copy (~12 bytes per position slot, streamed from DRAM and written again)
 * measured 8.4 ms of a 64 ms single-thread all-moving tick at 100,000 accounts (13.6 % of its profile).
 * @module
 */
import { encodeModule, F64, I32, op, V128 } from "../../math/wasm/encoder.js";
import type { ValType } from "../../math/wasm/encoder.js";
import { maxOf } from "../../math/extent.js";
import { createMirror } from "./mirror.js";
import type { Mirror, MirrorLimits, MirrorSource, Placed } from "./mirror.js";

export { MIRROR_ACCOUNTS, MIRROR_CAP_BYTES } from "./mirror.js";
export type { MirrorLimits, MirrorSource } from "./mirror.js";

const PAGE_BYTES = 65536;
/** Accounts per chunk: 4,096 keeps the chunk's book (~1.5 MB at 30 positions) near L2 with the risk arrays. */
const CHUNK_ACCOUNTS = 4096;
const INITIAL_CHUNK_POSITIONS = CHUNK_ACCOUNTS * 32;

/**
 * Build the module for `scenarioCount` scenarios (`lanes = ceil(S/2)` SIMD accumulators kept in locals) and
 * `extraCount` extra columns per row. Extra columns are linear per-row quantities summed like the scenarios
 * (Σ size × column, positions in order) but not part of the worst case: the live core puts a row's coin delta there,
 * once in a delta column and once in the column of its expiry group, so the bucket's delta and roll-shock inputs come
 * out of the same pass over the book (live/fast-margin.ts). Rows are laid with stride `lanes + ceil(E/2)` v128.
 */
export function buildKernelModuleBytes(scenarioCount: number, extraCount = 0, layout: ExtrasLayout = "columns"): Uint8Array {
  const lanes = Math.ceil(scenarioCount / 2);
  const extraLanes = Math.ceil(extraCount / 2);
  const rowBytes = rowBytesOf(lanes, extraCount, layout);
  // Shared parameter indices: dataPtr, offPtr, idxPtr, sizePtr, (dampPtr), outPtr, (extrasPtr), count.
  const worst = kernelBody(lanes, 0, rowBytes, scenarioCount, "worst");
  const vectors = kernelBody(lanes, 0, rowBytes, scenarioCount, "vectors");
  const types: (readonly [ValType[], ValType[]])[] = [
    [[I32, I32, I32, I32, I32, I32, I32], []],
    [[I32, I32, I32, I32, I32, I32], []],
  ];
  const functions = [
    { typeIndex: 0, locals: worst.locals, body: worst.body, exportName: "worst" },
    { typeIndex: 1, locals: vectors.locals, body: vectors.body, exportName: "vectors" },
  ];
  if (extraLanes > 0 && layout === "delta-groups") {
    // The screened kernel (see groupedBody): 2 more parameters, and function 3 the candidates' exact sums.
    const extras = groupedBody(scenarioCount, lanes, extraCount);
    types.push([[I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], []]);
    functions.push({ typeIndex: 2, locals: extras.locals, body: extras.body, exportName: "extras" });
    const exact = candidatesBody(rowBytes);
    types.push([[I32, I32, I32, I32, I32, I32, I32, I32], []]);
    functions.push({ typeIndex: 3, locals: exact.locals, body: exact.body, exportName: "candidates" });
  } else if (extraLanes > 0) {
    const extras = kernelBody(lanes, extraLanes, rowBytes, scenarioCount, "extras");
    types.push([[I32, I32, I32, I32, I32, I32, I32, I32], []]);
    functions.push({ typeIndex: 2, locals: extras.locals, body: extras.body, exportName: "extras" });
  }
  return encodeModule(types, functions);
}

/**
 * How the extra columns are laid and summed. "columns": every column is a SIMD lane half, summed like a scenario.
 * "delta-groups": the live core's columns, `[delta, G expiry-group columns, mark]` (E = G + 2) where each row has its
 * delta in its own group's column and 0 in the others (loadArrays checks it): the kernel then sums delta and mark as
 * one SIMD lane and adds each position's size × delta to its group's sum alone (a scalar add), instead of G
 * multiply-adds of which G − 1 add zero. Same output layout and the same doubles (each group's sum takes its own
 * positions' products in position order; the zeros it skips cannot change a sum, only the sign of an all-zero one,
 * which the roll shock's |·| does not see).
 */
export type ExtrasLayout = "columns" | "delta-groups";

/** Bytes per row in the kernel's memory: scenario lanes, then the extras' lanes (delta-groups: a lane, then the group's offset). */
function rowBytesOf(lanes: number, extraCount: number, layout: ExtrasLayout): number {
  return layout === "delta-groups" && extraCount > 0 ? (lanes + 2) * 16 : (lanes + Math.ceil(extraCount / 2)) * 16;
}

/**
 * Emitters of the sequences every kernel body shares (the same instructions, so the same module bytes). Each takes the
 * body's code array and its local indices.
 */
const emit = {
  /**
   * k0 = ranges[2a], e = ranges[2a + 1]: the account's first position and the end of its positions, rebased to the
   * chunk by the host (a pair per account, not shared offsets, so a segment's zero-size padding is not walked).
   * `b` is scratch.
   */
  accountRange(c: number[], OFF: number, A: number, B: number, K0: number, E: number): void {
    c.push(...op.localGet(OFF), ...op.localGet(A), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.localTee(B));
    c.push(...op.i32Load(0), ...op.localSet(K0), ...op.localGet(B), ...op.i32Load(4), ...op.localSet(E));
  },
  /** Open the loop over the account's positions k in [k0, e): s = splat(size[k]); b = dataPtr + index[k] × rowBytes. */
  positionLoopHead(c: number[], L: { SIZE: number; DATA: number; IDX: number; K0: number; K: number; E: number; B: number; S: number }, rowBytes: number): void {
    c.push(...op.localGet(L.K0), ...op.localSet(L.K));
    c.push(...op.block(), ...op.loop());
    c.push(...op.localGet(L.K), ...op.localGet(L.E), ...op.i32GeS(), ...op.brIf(1));
    c.push(...op.localGet(L.SIZE), ...op.localGet(L.K), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.f64Load(0));
    c.push(...op.f64x2Splat(), ...op.localSet(L.S));
    c.push(...op.localGet(L.DATA), ...op.localGet(L.IDX), ...op.localGet(L.K), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add());
    c.push(...op.i32Load(0), ...op.i32Const(rowBytes), ...op.i32Mul(), ...op.i32Add(), ...op.localSet(L.B));
  },
  /**
   * The hot loop, unrolled over the block: acc_j += row[2j..2j+1] × s, accumulators in locals (registers), so the
   * only memory traffic per position is the row block itself.
   */
  accumulate(c: number[], nb: number, lane0: number, ACC: number, B: number, S: number): void {
    for (let j = 0; j < nb; j++) {
      c.push(...op.localGet(ACC + j), ...op.localGet(B), ...op.v128Load(16 * (lane0 + j)), ...op.localGet(S), ...op.f64x2Mul());
      c.push(...op.f64x2Add(), ...op.localSet(ACC + j));
    }
  },
  /** Close a loop counting `k` (or `a`) up by one. */
  loopTail(c: number[], K: number): void {
    c.push(...op.localGet(K), ...op.i32Const(1), ...op.i32Add(), ...op.localSet(K), ...op.br(0), ...op.end(), ...op.end());
  },
  /** m = min(m, acc + dampener[lane]) (m = acc + dampener for the first lane). */
  minDampened(c: number[], acc: number, DAMP: number, lane: number, M: number, first: boolean): void {
    c.push(...op.localGet(acc), ...op.localGet(DAMP), ...op.v128Load(16 * lane), ...op.f64x2Add());
    if (!first) c.push(...op.localGet(M), ...op.f64x2Min());
    c.push(...op.localSet(M));
  },
  /** out[a] = 0 − min(lane0, lane1, 0): a loss ≥ 0, never −0. */
  storeWorst(c: number[], OUT: number, A: number, M: number): void {
    c.push(...op.localGet(OUT), ...op.localGet(A), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add());
    c.push(...op.f64Zero(), ...op.localGet(M), ...op.f64x2ExtractLane(0), ...op.localGet(M), ...op.f64x2ExtractLane(1));
    c.push(...op.f64Min(), ...op.f64Zero(), ...op.f64Min(), ...op.f64Sub(), ...op.f64Store(0));
  },
};

/** Single-precision lanes (four scenarios each) of a row in the delta-groups kernel's screening table. */
const lanes32Of = (scenarioCount: number): number => Math.ceil(scenarioCount / 4);

/**
 * Bytes per row of the delta-groups screening table: the single-precision scenarios ({@link lanes32Of} lanes), then
 * a tail of 32 bytes laid as the f64 row's extras (delta and mark, the group's output offset, the row's bound; see
 * layGroupedRow), in whole cache lines (3 for S = 35). WHY: the screening pass then reads one row per position; the
 * f64 rows (only read for the candidates, after the pass) stay out of its cache working set.
 */
const row32BytesOf = (scenarioCount: number): number => align(lanes32Of(scenarioCount) * 16 + 32, 64);

/**
 * The "extras" function of the delta-groups layout (see {@link ExtrasLayout}): the same doubles as the per-scenario
 * f64 kernel ({@link kernelBody}), with a fraction of its arithmetic.
 *
 * WHY: the worst loss needs only the smallest of the S dampened scenario sums exactly, not all of them. One pass over
 * the account's positions sums the scenarios in single precision (four per SIMD lane: 9 lanes for S = 35 instead of
 * 18, all accumulators in registers, so one pass instead of four blocks), the (delta, mark) lane and the expiry-group
 * scatter exactly as before (f64, position order), and G = Σ |size| × max_j |row_j|. Every single-precision sum is
 * within E = (n + 8) · 2⁻²¹ · (G + max |dampener|) + 1e−37 of the exact one (n positions; a generous bound on the
 * rounding of the size, the row, each product and each of the n additions, 2⁻²⁴ each, and of the dampener's
 * addition). So the scenario j* with the smallest exact dampened sum has its screened sum within 2E of the smallest
 * screened sum (and of 0, the floor the worst loss takes); every scenario that close is then summed again in f64, in
 * position order with one IEEE multiply and one add per position as the f64 kernel does (function 3, after the loop
 * over the accounts, four candidates at a time), and the smallest of those (and 0) is the same double the f64 kernel
 * finds. A screened sum that is not finite (G + max
 * |dampener| ≥ 1e30, or NaN) makes every scenario a candidate. Accounts usually have one to three candidates.
 */
function groupedBody(scenarioCount: number, lanes: number, extraCount: number) {
  const DATA = 0, OFF = 1, IDX = 2, SIZE = 3, DAMP = 4, OUT = 5, EXTRA = 6, COUNT = 7, ROWS32 = 8, CAND = 9;
  const A = 10, K0 = 11, K = 12, E = 13, B = 14, B32 = 15, P = 16, Q = 17, MASK = 18, J = 19, RI = 20, NC = 21;
  const SZ = 22, GSUM = 23, THR64 = 24;
  const n32 = lanes32Of(scenarioCount);
  const ACC = 25, S32 = ACC + n32, S64 = S32 + 1, DM = S32 + 2, THR = S32 + 3;
  const outLanes = Math.ceil(extraCount / 2);
  const groups = extraCount - 2;
  const row32Bytes = row32BytesOf(scenarioCount);
  // The row's (delta, mark), group offset and bound, after its single-precision scenarios (see row32BytesOf).
  const tail = n32 * 16;
  const { dmaxAt, damp32At } = dampenerLayout(lanes);
  const c: number[] = [];
  c.push(...op.block(), ...op.loop());
  c.push(...op.localGet(A), ...op.localGet(COUNT), ...op.i32GeS(), ...op.brIf(1));
  emit.accountRange(c, OFF, A, B, K0, E);
  // p = this account's output row, zeroed (its group columns are summed in place).
  c.push(...op.localGet(EXTRA), ...op.localGet(A), ...op.i32Const(outLanes * 16), ...op.i32Mul(), ...op.i32Add(), ...op.localSet(P));
  for (let v = 0; v < outLanes; v++) c.push(...op.localGet(P), ...op.v128Zero(), ...op.v128Store(16 * v));
  // out[a] = +0: the smallest exact dampened sum so far (the floor), lowered by the candidates after the loop.
  c.push(...op.localGet(OUT), ...op.localGet(A), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.f64Zero(), ...op.f64Store(0));
  // An account without positions in the bucket (most of a book's accounts for all but one or two buckets) is done:
  // zero sums, a floor of +0 and nothing below it (its sums are +0, the dampener ≥ 0), so no candidate. Skipping the
  // screen's closing arithmetic for it (~60 instructions) saved ~5 % of the kernel on a book half of such accounts.
  c.push(...op.block(), ...op.localGet(K0), ...op.localGet(E), ...op.i32GeS(), ...op.brIf(0));
  for (let i = 0; i < n32; i++) c.push(...op.v128Zero(), ...op.localSet(ACC + i));
  c.push(...op.v128Zero(), ...op.localSet(DM), ...op.f64Zero(), ...op.localSet(GSUM));
  // One pass over the positions k in [k0, e), reading each position's single-precision row alone (its tail holds
  // the f64 columns the pass needs: one row of 3 cache lines per position, not that and a line of the f64 row).
  c.push(...op.localGet(K0), ...op.localSet(K));
  c.push(...op.block(), ...op.loop());
  c.push(...op.localGet(K), ...op.localGet(E), ...op.i32GeS(), ...op.brIf(1));
  c.push(...op.localGet(SIZE), ...op.localGet(K), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.f64Load(0), ...op.localSet(SZ));
  c.push(...op.localGet(IDX), ...op.localGet(K), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.i32Load(0), ...op.localSet(RI));
  c.push(...op.localGet(ROWS32), ...op.localGet(RI), ...op.i32Const(row32Bytes), ...op.i32Mul(), ...op.i32Add(), ...op.localSet(B32));
  c.push(...op.localGet(SZ), ...op.f32DemoteF64(), ...op.f32x4Splat(), ...op.localSet(S32));
  c.push(...op.localGet(SZ), ...op.f64x2Splat(), ...op.localSet(S64));
  for (let i = 0; i < n32; i++) {
    c.push(...op.localGet(ACC + i), ...op.localGet(B32), ...op.v128Load(16 * i), ...op.localGet(S32), ...op.f32x4Mul(), ...op.f32x4Add(), ...op.localSet(ACC + i));
  }
  // The (delta, mark) lane, exactly as the f64 kernel: dm += row × s.
  c.push(...op.localGet(DM), ...op.localGet(B32), ...op.v128Load(tail), ...op.localGet(S64), ...op.f64x2Mul(), ...op.f64x2Add(), ...op.localSet(DM));
  // out[p + groupOffset(row)] = out[p + groupOffset(row)] + size × delta(row): one IEEE multiply, one add. (Keeping
  // the sum of the group being walked in a register, stored when another group's position comes, was ~30 % slower:
  // the branch on a change of group mispredicts, groups interleave in name order.)
  c.push(...op.localGet(P), ...op.localGet(B32), ...op.i32Load(tail + 16), ...op.i32Add(), ...op.localTee(Q));
  c.push(...op.localGet(Q), ...op.f64Load(0), ...op.localGet(SZ), ...op.localGet(B32), ...op.f64Load(tail));
  c.push(...op.f64Mul(), ...op.f64Add(), ...op.f64Store(0));
  // g += |size| × max_j |row_j| (the row's bound sits after its group offset).
  c.push(...op.localGet(GSUM), ...op.localGet(SZ), ...op.f64Abs(), ...op.localGet(B32), ...op.f64Load(tail + 24), ...op.f64Mul(), ...op.f64Add(), ...op.localSet(GSUM));
  emit.loopTail(c, K);
  // The (delta, mark) lane: delta at column 0, mark at column 1 + G.
  c.push(...op.localGet(P), ...op.localGet(DM), ...op.f64x2ExtractLane(0), ...op.f64Store(0));
  c.push(...op.localGet(P), ...op.localGet(DM), ...op.f64x2ExtractLane(1), ...op.f64Store(8 * (1 + groups)));
  // Screened dampened sums (acc_i += dampener32_i) and their smallest.
  for (let i = 0; i < n32; i++) c.push(...op.localGet(ACC + i), ...op.localGet(DAMP), ...op.v128Load(damp32At + 16 * i), ...op.f32x4Add(), ...op.localSet(ACC + i));
  c.push(...op.localGet(ACC));
  for (let i = 1; i < n32; i++) c.push(...op.localGet(ACC + i), ...op.f32x4Min());
  c.push(...op.localSet(THR));
  c.push(...op.localGet(THR), ...op.f32x4ExtractLane(0), ...op.localGet(THR), ...op.f32x4ExtractLane(1), ...op.f32Min());
  c.push(...op.localGet(THR), ...op.f32x4ExtractLane(2), ...op.f32Min(), ...op.localGet(THR), ...op.f32x4ExtractLane(3), ...op.f32Min());
  // thr = min(m, 0) + 2E with E as above (g := g + max |dampener|); +∞ when g + max |dampener| is not below 1e30.
  c.push(...op.f64PromoteF32(), ...op.f64Zero(), ...op.f64Min());
  c.push(...op.localGet(GSUM), ...op.localGet(DAMP), ...op.f64Load(dmaxAt), ...op.f64Add(), ...op.localSet(GSUM));
  c.push(...op.localGet(E), ...op.localGet(K0), ...op.i32Sub(), ...op.i32Const(8), ...op.i32Add(), ...op.f64ConvertI32S());
  c.push(...op.f64Const(2 * 2 ** -21), ...op.f64Mul(), ...op.localGet(GSUM), ...op.f64Mul(), ...op.f64Const(2e-37), ...op.f64Add(), ...op.f64Add());
  c.push(...op.f64Const(Infinity), ...op.localGet(GSUM), ...op.f64Const(1e30), ...op.f64Lt(), ...op.select(), ...op.localSet(THR64));
  c.push(...op.localGet(THR64), ...op.f32DemoteF64(), ...op.f32x4Splat(), ...op.localSet(THR));
  // Candidates: every scenario whose screened sum is not above thr (a NaN one included), listed as (account,
  // scenario) and summed exactly after the loop (function 3, four at a time). (An account without positions, whose 27
  // zero scenarios would all be listed, left the block above.)
  for (let i = 0; i < n32; i++) {
    c.push(...op.localGet(ACC + i), ...op.localGet(THR), ...op.f32x4Gt(), ...op.i32x4Bitmask(), ...op.i32Const(15), ...op.i32Xor(), ...op.localSet(MASK));
    c.push(...op.block(), ...op.loop());
    c.push(...op.localGet(MASK), ...op.i32Eqz(), ...op.brIf(1));
    c.push(...op.localGet(MASK), ...op.i32Ctz(), ...op.i32Const(4 * i), ...op.i32Add(), ...op.localSet(J));
    c.push(...op.localGet(J), ...op.i32Const(scenarioCount), ...op.i32LtS(), ...op.if());
    c.push(...op.localGet(CAND), ...op.localGet(NC), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.localTee(Q), ...op.localGet(A), ...op.i32Store(0));
    c.push(...op.localGet(Q), ...op.localGet(J), ...op.i32Store(4), ...op.localGet(NC), ...op.i32Const(1), ...op.i32Add(), ...op.localSet(NC), ...op.end());
    c.push(...op.localGet(MASK), ...op.localGet(MASK), ...op.i32Const(1), ...op.i32Sub(), ...op.i32And(), ...op.localSet(MASK));
    c.push(...op.br(0), ...op.end(), ...op.end());
  }
  // The end of the block an account without positions leaves early.
  c.push(...op.end());
  emit.loopTail(c, A);
  // The candidates' exact sums lower out[a]; then out[a] = 0 − out[a]: a loss ≥ 0, never −0, as storeWorst.
  c.push(...op.localGet(CAND), ...op.localGet(NC), ...op.localGet(OFF), ...op.localGet(SIZE), ...op.localGet(IDX), ...op.localGet(DATA), ...op.localGet(DAMP), ...op.localGet(OUT), ...op.call(3));
  c.push(...op.i32Const(0), ...op.localSet(A));
  c.push(...op.block(), ...op.loop());
  c.push(...op.localGet(A), ...op.localGet(COUNT), ...op.i32GeS(), ...op.brIf(1));
  c.push(...op.localGet(OUT), ...op.localGet(A), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.localTee(Q));
  c.push(...op.f64Zero(), ...op.localGet(Q), ...op.f64Load(0), ...op.f64Sub(), ...op.f64Store(0));
  emit.loopTail(c, A);
  const locals: [number, ValType][] = [
    [12, I32],
    [3, F64],
    [n32 + 4, V128],
  ];
  return { locals, body: c };
}

/** Candidates summed together by {@link candidatesBody}: independent chains of dependent adds, so they overlap. */
const CHAINS = 4;

/**
 * Function 3 of the delta-groups module: for each listed candidate (account a, scenario j), out[a] = min(out[a],
 * Σ size × row_j + dampener_j), the sum over a's positions in position order with one IEEE multiply and one add each
 * from +0 (the f64 kernel's lane j), reading scenario j of each position's row (`data + r · rowBytes + 8j`; a
 * scenario-major copy of the rows was no faster and cost the per-tick re-lay ~0.15 ms). Four candidates at a time,
 * one position of each per turn: each sum is a chain of dependent adds (~4 cycles each), four chains overlap.
 * Parameters: candPtr (pairs of i32: a, j), count, offPtr, sizePtr, idxPtr, dataPtr, dampPtr, outPtr.
 */
function candidatesBody(rowBytes: number) {
  const CAND = 0, NC = 1, OFF = 2, SIZE = 3, IDX = 4, DATA = 5, DAMP = 6, OUT = 7;
  const T = 8, X = 9;
  const AC = 10, KC = AC + CHAINS, EC = KC + CHAINS, BC = EC + CHAINS, JC = BC + CHAINS;
  const ACC = JC + CHAINS;
  const c: number[] = [];
  c.push(...op.i32Const(0), ...op.localSet(T));
  c.push(...op.block(), ...op.loop());
  c.push(...op.localGet(T), ...op.localGet(NC), ...op.i32GeS(), ...op.brIf(1));
  for (let h = 0; h < CHAINS; h++) {
    // Chain h: candidate t + h, or an empty chain (k = e = 0, a = −1) past the list's end.
    c.push(...op.i32Const(0), ...op.localSet(KC + h), ...op.i32Const(0), ...op.localSet(EC + h), ...op.i32Const(-1), ...op.localSet(AC + h));
    c.push(...op.f64Zero(), ...op.localSet(ACC + h));
    c.push(...op.localGet(T), ...op.i32Const(h), ...op.i32Add(), ...op.localGet(NC), ...op.i32LtS(), ...op.if());
    c.push(...op.localGet(CAND), ...op.localGet(T), ...op.i32Const(h), ...op.i32Add(), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.localTee(X));
    c.push(...op.i32Load(0), ...op.localSet(AC + h), ...op.localGet(X), ...op.i32Load(4), ...op.localSet(JC + h));
    c.push(...op.localGet(OFF), ...op.localGet(AC + h), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.localTee(X));
    c.push(...op.i32Load(0), ...op.localSet(KC + h), ...op.localGet(X), ...op.i32Load(4), ...op.localSet(EC + h));
    c.push(...op.localGet(DATA), ...op.localGet(JC + h), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.localSet(BC + h));
    c.push(...op.end());
  }
  // One position of each unfinished chain per turn, until all are done.
  c.push(...op.block(), ...op.loop());
  for (let h = 0; h < CHAINS; h++) {
    c.push(...op.localGet(KC + h), ...op.localGet(EC + h), ...op.i32LtS());
    if (h > 0) c.push(...op.i32Or());
  }
  c.push(...op.i32Eqz(), ...op.brIf(1));
  for (let h = 0; h < CHAINS; h++) {
    c.push(...op.localGet(KC + h), ...op.localGet(EC + h), ...op.i32LtS(), ...op.if());
    c.push(...op.localGet(ACC + h));
    c.push(...op.localGet(BC + h), ...op.localGet(IDX), ...op.localGet(KC + h), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.i32Load(0), ...op.i32Const(rowBytes), ...op.i32Mul(), ...op.i32Add(), ...op.f64Load(0));
    c.push(...op.localGet(SIZE), ...op.localGet(KC + h), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.f64Load(0));
    c.push(...op.f64Mul(), ...op.f64Add(), ...op.localSet(ACC + h));
    c.push(...op.localGet(KC + h), ...op.i32Const(1), ...op.i32Add(), ...op.localSet(KC + h), ...op.end());
  }
  c.push(...op.br(0), ...op.end(), ...op.end());
  for (let h = 0; h < CHAINS; h++) {
    // out[a] = min(out[a], sum + dampener_j).
    c.push(...op.localGet(AC + h), ...op.i32Const(0), ...op.i32GeS(), ...op.if());
    c.push(...op.localGet(OUT), ...op.localGet(AC + h), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.localTee(X));
    c.push(...op.localGet(X), ...op.f64Load(0));
    c.push(...op.localGet(ACC + h), ...op.localGet(DAMP), ...op.localGet(JC + h), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.f64Load(0), ...op.f64Add());
    c.push(...op.f64Min(), ...op.f64Store(0), ...op.end());
  }
  c.push(...op.localGet(T), ...op.i32Const(CHAINS), ...op.i32Add(), ...op.localSet(T), ...op.br(0), ...op.end(), ...op.end());
  const locals: [number, ValType][] = [
    [2 + 5 * CHAINS, I32],
    [CHAINS, F64],
  ];
  return { locals, body: c };
}

/**
 * Where the dampener area holds, after the f64 dampener (2 · lanes doubles), the largest |dampener| (`dmaxAt`) and the
 * dampener in single precision (`damp32At`, 16-byte aligned), bytes from its start; `bytes`: the area's size.
 */
function dampenerLayout(lanes: number): { dmaxAt: number; damp32At: number } {
  return { dmaxAt: 16 * lanes, damp32At: 16 * lanes + 16 };
}

/** Most SIMD accumulators kept live at once (see {@link laneBlocks}). */
const MAX_BLOCK_LANES = 6;

/**
 * Split `lanes` accumulators into balanced blocks of at most 6. WHY: V8 gives WebAssembly 16 xmm registers; 18 live
 * accumulators (S = 35) plus the size splat and pointers spill, and the loop then reloads/stores accumulators. One pass
 * over the account's positions per block of ≤ 6 accumulators (re-reading 12 bytes of index and size per position
 * and block) measured ~25 % faster (≈ 6 vs 4.8 G accumulations/s for S = 35) and keeps every scenario's summation
 * order unchanged, so results stay bit-identical.
 */
export function laneBlocks(lanes: number): number[] {
  const count = Math.ceil(lanes / MAX_BLOCK_LANES);
  const blocks: number[] = [];
  for (let b = 0; b < count; b++) blocks.push(Math.floor((lanes * (b + 1)) / count) - Math.floor((lanes * b) / count));
  return blocks;
}

/**
 * One kernel: `worst` (dampened worst loss over the scenario lanes), `vectors` (the scenario vectors) or `extras`
 * (the worst loss, and the `extraLanes` lanes after the scenario lanes stored per account with stride
 * `extraLanes × 16` bytes at extrasPtr).
 */
function kernelBody(lanes: number, extraLanes: number, rowBytes: number, scenarioCount: number, kind: "worst" | "vectors" | "extras") {
  const DATA = 0, OFF = 1, IDX = 2, SIZE = 3;
  const worstLike = kind !== "vectors";
  const DAMP = worstLike ? 4 : -1;
  const OUT = worstLike ? 5 : 4;
  const EXTRA = kind === "extras" ? 6 : -1;
  const COUNT = kind === "extras" ? 7 : OUT + 1;
  const A = COUNT + 1, K0 = A + 1, K = A + 2, E = A + 3, B = A + 4, S = A + 5, ACC = A + 6;
  const blocks = laneBlocks(lanes + extraLanes);
  const maxBlock = maxOf(blocks);
  const M = ACC + maxBlock;
  const c: number[] = [];
  c.push(...op.block(), ...op.loop());
  c.push(...op.localGet(A), ...op.localGet(COUNT), ...op.i32GeS(), ...op.brIf(1));
  emit.accountRange(c, OFF, A, B, K0, E);
  let lane0 = 0;
  for (const [bi, nb] of blocks.entries()) {
    for (let j = 0; j < nb; j++) c.push(...op.v128Zero(), ...op.localSet(ACC + j));
    emit.positionLoopHead(c, { SIZE, DATA, IDX, K0, K, E, B, S }, rowBytes);
    emit.accumulate(c, nb, lane0, ACC, B, S);
    emit.loopTail(c, K);
    if (worstLike) {
      // m = min(m, acc_j + dampener_j) over the block's scenario lanes; extra lanes stored as they are.
      for (let j = 0; j < nb; j++) {
        const lane = lane0 + j;
        if (lane >= lanes) {
          c.push(...op.localGet(EXTRA), ...op.localGet(A), ...op.i32Const(extraLanes * 16), ...op.i32Mul(), ...op.i32Add());
          c.push(...op.localGet(ACC + j), ...op.v128Store(16 * (lane - lanes)));
          continue;
        }
        emit.minDampened(c, ACC + j, DAMP, lane, M, bi === 0 && j === 0);
      }
    } else {
      // Vectors are written with stride S (not the padded stride) in increasing account order: for odd S the last
      // store spills one pad double into the next account's first slot, which that account then overwrites. The
      // host reserves one spare double after the chunk for the last account.
      c.push(...op.localGet(OUT), ...op.localGet(A), ...op.i32Const(scenarioCount * 8), ...op.i32Mul(), ...op.i32Add());
      c.push(...op.localSet(B));
      for (let j = 0; j < nb; j++) c.push(...op.localGet(B), ...op.localGet(ACC + j), ...op.v128Store(16 * (lane0 + j)));
    }
    lane0 += nb;
  }
  if (worstLike) emit.storeWorst(c, OUT, A, M);
  emit.loopTail(c, A);
  const locals: [number, ValType][] = [
    [5, I32],
    [1 + maxBlock + 1, V128],
  ];
  return { locals, body: c };
}

/**
 * The slice of the WebAssembly JS API used here, typed locally. WHY: the project compiles with `lib: ES2023` and
 * Node's types, neither of which declares the `WebAssembly` global (only lib.dom does), and adding DOM types
 * project-wide would let browser-only globals type-check in engine code.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
type WasmModule = object;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
  readonly Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

const moduleCache = new Map<string, WasmModule | null>();

/**
 * The compiled kernel module for a scenario count, or null when this runtime has no WebAssembly SIMD. Compiled
 * modules are cached per scenario count: a pure memo (code, no data), so results never depend on it.
 */
export function kernelModule(scenarioCount: number, extraCount = 0, layout: ExtrasLayout = "columns"): WasmModule | null {
  const key = `${scenarioCount}:${extraCount}:${layout}`;
  const cached = moduleCache.get(key);
  if (cached !== undefined) return cached;
  let compiled: WasmModule | null = null;
  if (wasmApi !== undefined) {
    const bytes = buildKernelModuleBytes(scenarioCount, extraCount, layout);
    // WebAssembly.validate is false (not a throw) where fixed-width SIMD is unsupported: fall back to TypeScript.
    if (wasmApi.validate(bytes)) compiled = new wasmApi.Module(bytes);
  }
  moduleCache.set(key, compiled);
  return compiled;
}

/** A WebAssembly aggregation kernel bound to its own scratch memory. Not re-entrant: one call at a time. */
export interface WasmAggregator {
  readonly scenarioCount: number;
  /** Current size of the kernel's linear memory (risk arrays, scratch, mirror), bytes. */
  readonly memoryBytes: number;
  /** The mirror of the books passed with a {@link MirrorSource} (its bytes and hit statistics). */
  readonly mirror: Pick<Mirror, "bytes" | "hits" | "copies" | "accountCopies">;
  /** Extra columns per row (0: none; see {@link buildKernelModuleBytes}). */
  readonly extraCount: number;
  readonly layout: ExtrasLayout;
  /** Doubles per account in the extras output (extraCount rounded up to even). */
  readonly extraStride: number;
  /**
   * Copy a risk matrix (`rowCount × scenarioCount`, row-major) into the kernel's memory, padded per row, and with
   * it the extra columns (`rowCount × extraCount`, row-major; required when extraCount > 0).
   */
  loadArrays(data: Float64Array, rowCount: number, extras?: Float64Array): void;
  /** Per-scenario amounts added before the minimum (a dampener ≥ 0 shrinks losses); null for none. Call after loadArrays. */
  setDampener(dampener: Float64Array | null): void;
  /**
   * Worst loss ≥ 0 of accounts [a0, a1) into `out[outOffset + (a − a0)]`. Account a's positions are
   * [offsets[a], offsets[a + 1]), or [offsets[a], offsets[a] + lengths[a]) when `lengths` is given (a book whose
   * segments have spare capacity: the kernel then skips it instead of adding its zero sizes). With `source`, whole
   * chunks are read from the kernel's mirror of the book (see the module comment; the same doubles).
   */
  worstLoss(offsets: Int32Array, instrumentIndex: Int32Array, sizeCoin: Float64Array, a0: number, a1: number, out: Float64Array, outOffset: number, lengths?: Int32Array, source?: MirrorSource): void;
  /**
   * Worst loss as {@link worstLoss}, and the sums of the extra columns of accounts [a0, a1) into `extras` from
   * `extrasOffset`, account-major with stride {@link extraStride}. Only when extraCount > 0.
   */
  worstLossExtras(offsets: Int32Array, instrumentIndex: Int32Array, sizeCoin: Float64Array, a0: number, a1: number, out: Float64Array, outOffset: number, extras: Float64Array, extrasOffset: number, lengths?: Int32Array, source?: MirrorSource): void;
  /** Scenario vectors of accounts [a0, a1) into `out` from `outOffset`, account-major with stride scenarioCount. */
  vectors(offsets: Int32Array, instrumentIndex: Int32Array, sizeCoin: Float64Array, a0: number, a1: number, out: Float64Array, outOffset: number): void;
}

interface KernelExports {
  worst(dataPtr: number, offPtr: number, idxPtr: number, sizePtr: number, dampPtr: number, outPtr: number, count: number): void;
  vectors(dataPtr: number, offPtr: number, idxPtr: number, sizePtr: number, outPtr: number, count: number): void;
  /** The delta-groups kernel also takes its screening rows and candidate list (ignored otherwise). */
  extras?(dataPtr: number, offPtr: number, idxPtr: number, sizePtr: number, dampPtr: number, outPtr: number, extrasPtr: number, count: number, rows32Ptr: number, candPtr: number): void;
}

const align = (bytes: number, to: number): number => Math.ceil(bytes / to) * to;

/**
 * Row `i` of delta-groups extras (`[delta, G group columns, mark]`) laid at double `at` of the kernel's memory:
 * (delta, mark), then the byte offset of its group's output column (8 × (1 + g)) and zeros. Throws when the row does
 * not follow the layout (a group column other than 0 and the delta, or two of them holding it): a caller's bug.
 */
function layGroupedRow(extras: Float64Array, i: number, extraCount: number, f64: Float64Array, i32: Int32Array, at: number): void {
  const groups = extraCount - 2;
  const x = i * extraCount;
  const delta = extras[x] as number;
  let g = 0;
  let seen = 0;
  for (let k = 0; k < groups; k++) {
    const v = extras[x + 1 + k] as number;
    if (v === 0) continue;
    if (!Object.is(v, delta)) throw new Error(`loadArrays: row ${i}'s group column ${k} is not its delta (delta-groups layout)`);
    g = k;
    seen++;
  }
  if (seen > 1) throw new Error(`loadArrays: row ${i} has its delta in ${seen} group columns (delta-groups layout)`);
  f64[at] = delta;
  f64[at + 1] = extras[x + extraCount - 1] as number;
  f64[at + 2] = 0;
  f64[at + 3] = 0;
  i32[(at + 2) * 2] = 8 * (1 + g);
}

/**
 * Create a kernel instance for `scenarioCount` scenarios, or null when WebAssembly SIMD is unavailable.
 * @param mirrorLimits - of the book mirror (./mirror.ts); a cap of 0 turns mirroring off.
 */
export function createWasmAggregator(scenarioCount: number, extraCount = 0, extrasLayout: ExtrasLayout = "columns", mirrorLimits?: MirrorLimits): WasmAggregator | null {
  if (extrasLayout === "delta-groups" && extraCount > 0 && extraCount < 3) throw new Error("delta-groups extras need delta, at least one group column and mark");
  const compiled = kernelModule(scenarioCount, extraCount, extrasLayout);
  if (compiled === null || wasmApi === undefined) return null;
  const S = scenarioCount;
  const lanes = Math.ceil(S / 2);
  const extraLanes = Math.ceil(extraCount / 2);
  const rowBytes = rowBytesOf(lanes, extraCount, extrasLayout);
  const grouped = extrasLayout === "delta-groups" && extraCount > 0;
  const memory = new wasmApi.Memory({ initial: 1 });
  const exports = new wasmApi.Instance(compiled, { env: { memory } }).exports as KernelExports;
  let rows = 0;
  let chunkPositions = INITIAL_CHUNK_POSITIONS;
  let dampPtr = 0, offPtr = 0, idxPtr = 0, sizePtr = 0, outPtr = 0, extrasPtr = 0, rows32Ptr = 0, candPtr = 0;
  const lanes32 = lanes32Of(S);
  const row32Bytes = row32BytesOf(S);
  const dampLayout = dampenerLayout(lanes);
  // The dampener (f64, padded), then for delta-groups its largest magnitude and its single-precision copy.
  const dampBytes = grouped ? dampLayout.damp32At + row32Bytes : rowBytes;
  let f64 = new Float64Array(memory.buffer);
  let f32 = new Float32Array(memory.buffer);
  let i32 = new Int32Array(memory.buffer);
  // Growing detaches the old ArrayBuffer: re-create the views after every grow.
  const views = (): void => {
    f64 = new Float64Array(memory.buffer);
    f32 = new Float32Array(memory.buffer);
    i32 = new Int32Array(memory.buffer);
  };
  /** Where the mirror starts (the end of the layout when it was last moved). */
  let mirrorBase = Infinity;
  const mirror = createMirror(
    {
      reserve(end) {
        const have = memory.buffer.byteLength;
        if (end <= have) return true;
        // Whole steps of 1/8 of the memory (at least 4 MB): a handful of grows while the mirror fills.
        const pages = Math.ceil(Math.max(end - have, have / 8, 4 << 20) / PAGE_BYTES);
        try {
          memory.grow(pages);
        } catch {
          // Beyond wasm32's 4 GB or the engine's limit: the caller copies into its scratch, as without a mirror.
          try {
            memory.grow(Math.ceil((end - have) / PAGE_BYTES));
          } catch {
            return false;
          }
        }
        views();
        return true;
      },
      copy: copyChunk,
      copyAccount(offsets, idx, size, a0, a, lengths, to) {
        const base = offsets[a0] as number;
        const from = offsets[a] as number;
        const end = offsets[a + 1] as number;
        i32[(to.offPtr >> 2) + 2 * (a - a0) + 1] = from - base + (lengths === undefined ? end - from : (lengths[a] as number));
        // A segment is a few dozen slots: element by element (a subarray and a set would make two views per account).
        const x = (to.idxPtr >> 2) - base;
        const y = (to.sizePtr >> 3) - base;
        for (let k = from; k < end; k++) {
          i32[x + k] = idx[k] as number;
          f64[y + k] = size[k] as number;
        }
      },
    },
    mirrorLimits,
  );
  /** The scratch area (copied into per call when the mirror cannot serve). */
  const scratch: Placed = { offPtr: 0, idxPtr: 0, sizePtr: 0 };
  /** Where the current chunk's book is (the scratch or a mirror entry). */
  const at: Placed = { offPtr: 0, idxPtr: 0, sizePtr: 0 };

  function layout(): void {
    // The delta-groups kernel's screening rows (single precision) after the rows.
    rows32Ptr = align(rows * rowBytes, 64);
    dampPtr = rows32Ptr + (grouped ? align(rows * row32Bytes, 64) : 0);
    offPtr = dampPtr + align(dampBytes, 64);
    idxPtr = offPtr + align(CHUNK_ACCOUNTS * 8, 64);
    sizePtr = idxPtr + align(chunkPositions * 4, 64);
    outPtr = sizePtr + align(chunkPositions * 8, 64);
    extrasPtr = outPtr + align(CHUNK_ACCOUNTS * S * 8 + 16, 64);
    // The delta-groups kernel's candidate list: at most every scenario of every account of a chunk, (a, j) pairs.
    candPtr = extrasPtr + align(CHUNK_ACCOUNTS * extraLanes * 16, 64);
    const end = candPtr + (grouped ? align(CHUNK_ACCOUNTS * S * 8, 64) : 0);
    const needPages = Math.ceil(end / PAGE_BYTES);
    const havePages = memory.buffer.byteLength / PAGE_BYTES;
    if (needPages > havePages) memory.grow(needPages - havePages);
    views();
    scratch.offPtr = offPtr;
    scratch.idxPtr = idxPtr;
    scratch.sizePtr = sizePtr;
    // Every tick re-lays the rows (the same count: the same end, the mirror stays); a layout that grew over the
    // mirror drops it.
    if (end > mirrorBase || mirrorBase === Infinity) {
      mirrorBase = end;
      mirror.rebase(end);
    }
  }
  layout();

  /**
   * Copy the book of accounts [a0, a1) (already checked to fit) to `to` (the scratch or a mirror entry), with each
   * account's range of positions rebased to 0: [offsets[a], offsets[a] + lengths[a]) with `lengths`, else up to
   * offsets[a + 1].
   */
  function copyChunk(offsets: Int32Array, idx: Int32Array, size: Float64Array, a0: number, a1: number, lengths: Int32Array | undefined, to: Placed): void {
    const base = offsets[a0] as number;
    const end = offsets[a1] as number;
    const o = to.offPtr >> 2;
    for (let a = a0; a < a1; a++) {
      const from = (offsets[a] as number) - base;
      i32[o + 2 * (a - a0)] = from;
      i32[o + 2 * (a - a0) + 1] = lengths === undefined ? (offsets[a + 1] as number) - base : from + (lengths[a] as number);
    }
    i32.set(idx.subarray(base, end), to.idxPtr >> 2);
    f64.set(size.subarray(base, end), to.sizePtr >> 3);
  }

  /**
   * Put the book of the chunk starting at `start` where the kernel reads it, pointed at by `at`, and return the
   * chunk's end: the whole [start, a1) from the mirror when `source` is given and it can serve it, else a chunk
   * copied into the scratch.
   */
  function place(offsets: Int32Array, idx: Int32Array, size: Float64Array, start: number, a1: number, lengths: Int32Array | undefined, source: MirrorSource | undefined): number {
    if (source !== undefined && mirror.place(source, offsets, idx, size, start, a1, lengths, at)) return a1;
    const stop = chunkEnd(offsets, start, a1);
    copyChunk(offsets, idx, size, start, stop, lengths, scratch);
    at.offPtr = scratch.offPtr;
    at.idxPtr = scratch.idxPtr;
    at.sizePtr = scratch.sizePtr;
    return stop;
  }

  /** Last account (exclusive) of the chunk starting at a0, growing the scratch if one account alone exceeds it. */
  function chunkEnd(offsets: Int32Array, a0: number, a1: number): number {
    const base = offsets[a0] as number;
    let a = Math.min(a1, a0 + CHUNK_ACCOUNTS);
    while (a > a0 + 1 && (offsets[a] as number) - base > chunkPositions) a--;
    const needed = (offsets[a] as number) - base;
    if (needed > chunkPositions) {
      chunkPositions = needed;
      layout();
    }
    return a;
  }

  return {
    scenarioCount: S,
    get memoryBytes() {
      return memory.buffer.byteLength;
    },
    mirror,
    extraCount,
    layout: extrasLayout,
    extraStride: 2 * extraLanes,
    loadArrays(data, rowCount, extras) {
      if (extraCount > 0 && (extras === undefined || extras.length < rowCount * extraCount)) throw new Error(`loadArrays: ${rowCount} × ${extraCount} extra columns expected`);
      rows = rowCount;
      layout();
      const stride = rowBytes >> 3;
      const e0 = 2 * lanes;
      // The delta-groups screen's inputs, laid in the same pass (every tick re-lays the rows): each row's largest
      // |value| (after its group offset) and the rows in single precision.
      for (let i = 0; i < rowCount; i++) {
        const src = i * S;
        const dst = i * stride;
        if (grouped) {
          const r32 = (rows32Ptr + i * row32Bytes) >> 2;
          let bound = 0;
          for (let j = 0; j < S; j++) {
            const v = data[src + j] as number;
            f64[dst + j] = v;
            f32[r32 + j] = v;
            bound = Math.max(bound, Math.abs(v));
          }
          for (let j = S; j < e0; j++) f64[dst + j] = 0;
          for (let j = S; j < 4 * lanes32; j++) f32[r32 + j] = 0;
          layGroupedRow(extras as Float64Array, i, extraCount, f64, i32, dst + e0);
          f64[dst + e0 + 3] = bound;
          // The same extras in the screening row's tail (the pass reads them there).
          const t = (rows32Ptr + i * row32Bytes + lanes32 * 16) >> 3;
          layGroupedRow(extras as Float64Array, i, extraCount, f64, i32, t);
          f64[t + 3] = bound;
          continue;
        }
        for (let j = 0; j < S; j++) f64[dst + j] = data[src + j] as number;
        for (let j = S; j < e0; j++) f64[dst + j] = 0;
        for (let j = 0; j < extraCount; j++) f64[dst + e0 + j] = (extras as Float64Array)[i * extraCount + j] as number;
        for (let j = e0 + extraCount; j < stride; j++) f64[dst + j] = 0;
      }
      // The layout may have moved: start from "no dampener"; callers set theirs after loading.
      const d = dampPtr >> 3;
      for (let j = 0; j < dampBytes >> 3; j++) f64[d + j] = 0;
    },
    setDampener(dampener) {
      const d = dampPtr >> 3;
      let most = 0;
      for (let j = 0; j < 2 * lanes; j++) {
        const v = dampener !== null && j < S ? (dampener[j] as number) : 0;
        f64[d + j] = v;
        most = Math.max(most, Math.abs(v));
      }
      if (!grouped) return;
      f64[(dampPtr + dampLayout.dmaxAt) >> 3] = most;
      for (let j = 0; j < 4 * lanes32; j++) f32[((dampPtr + dampLayout.damp32At) >> 2) + j] = dampener !== null && j < S ? (dampener[j] as number) : 0;
    },
    worstLoss(offsets, idx, size, a0, a1, out, outOffset, lengths, source) {
      for (let start = a0; start < a1; ) {
        const stop = place(offsets, idx, size, start, a1, lengths, source);
        exports.worst(0, at.offPtr, at.idxPtr, at.sizePtr, dampPtr, outPtr, stop - start);
        out.set(f64.subarray(outPtr >> 3, (outPtr >> 3) + (stop - start)), outOffset + start - a0);
        start = stop;
      }
    },
    worstLossExtras(offsets, idx, size, a0, a1, out, outOffset, extras, extrasOffset, lengths, source) {
      const run = exports.extras;
      if (run === undefined) throw new Error("worstLossExtras: this kernel has no extra columns");
      const stride = 2 * extraLanes;
      for (let start = a0; start < a1; ) {
        const stop = place(offsets, idx, size, start, a1, lengths, source);
        run(0, at.offPtr, at.idxPtr, at.sizePtr, dampPtr, outPtr, extrasPtr, stop - start, rows32Ptr, candPtr);
        out.set(f64.subarray(outPtr >> 3, (outPtr >> 3) + (stop - start)), outOffset + start - a0);
        extras.set(f64.subarray(extrasPtr >> 3, (extrasPtr >> 3) + (stop - start) * stride), extrasOffset + (start - a0) * stride);
        start = stop;
      }
    },
    vectors(offsets, idx, size, a0, a1, out, outOffset) {
      for (let start = a0; start < a1; ) {
        const stop = place(offsets, idx, size, start, a1, undefined, undefined);
        exports.vectors(0, at.offPtr, at.idxPtr, at.sizePtr, outPtr, stop - start);
        const n = (stop - start) * S;
        out.set(f64.subarray(outPtr >> 3, (outPtr >> 3) + n), outOffset + (start - a0) * S);
        start = stop;
      }
    },
  };
}
