/**
 * A tiny expression layer over the WebAssembly encoder of ../../math/wasm/encoder.ts for f64x2 (two-lane double)
 * code: every helper returns the bytes of an expression that leaves one value on the operand stack, so formulas read
 * as nested calls (`add(mul(get(H), get(Y)), c(1))`) instead of flat opcode lists.
 *
 * Opcodes are those of the WebAssembly Core Specification 2.0, §5.4.5 (numeric) and §5.4.8 (vector, prefix 0xFD).
 * Only IEEE operations with one rounding each are used (no fused or relaxed instructions), so every lane computes
 * exactly what the same sequence of JavaScript double operations computes.
 * @module
 */
import { op, uleb128 } from "../../math/wasm/encoder.js";

/** Bytes of one expression (leaves one value on the stack) or of a statement (leaves none). */
export type Code = number[];

const simd = (opcode: number): Code => [0xfd, ...uleb128(opcode)];

/** Little-endian bytes of a double (the WebAssembly constant encoding). */
function f64Bytes(v: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v, true);
  return Array.from(new Uint8Array(view.buffer));
}

/** f64x2 constant with both lanes equal to `v`. */
export const c = (v: number): Code => [0xfd, ...uleb128(0x0c), ...f64Bytes(v), ...f64Bytes(v)];
/** v128 constant with both 64-bit lanes equal to the bit pattern `hex` (e.g. "000fffffffffffff"). */
export const bits = (hex: string): Code => {
  const lane: number[] = [];
  for (let i = 14; i >= 0; i -= 2) lane.push(parseInt(hex.slice(i, i + 2), 16));
  return [0xfd, ...uleb128(0x0c), ...lane, ...lane];
};
/** Scalar f64 constant. */
export const f64c = (v: number): Code => [0x44, ...f64Bytes(v)];
export const get = (i: number): Code => op.localGet(i);
export const set = (i: number, e: Code): Code => [...e, ...op.localSet(i)];

const bin = (opcode: number) => (a: Code, b: Code): Code => [...a, ...b, ...simd(opcode)];
const un = (opcode: number) => (a: Code): Code => [...a, ...simd(opcode)];

export const add = bin(0xf0);
export const sub = bin(0xf1);
export const mul = bin(0xf2);
export const div = bin(0xf3);
export const max = bin(0xf5);
export const neg = un(0xed);
export const abs = un(0xec);
export const sqrt = un(0xef);
export const nearest = un(0x94);
/** Lane masks (all ones / all zeros per lane). */
export const lt = bin(0x49);
export const gt = bin(0x4a);
export const le = bin(0x4b);
export const and = bin(0x4e);
/** a AND NOT b. */
export const andNot = bin(0x4f);
export const or = bin(0x50);
/** Per lane: mask ? a : b. */
export const select = (mask: Code, a: Code, b: Code): Code => [...a, ...b, ...mask, ...simd(0x52)];
/** i32 1 when any bit of the vector is set (some lane's mask is true). */
export const anyTrue = un(0x53);
/** i64 lanes: shift left / logical shift right by a constant. */
export const i64Shl = (a: Code, count: number): Code => [...a, ...op.i32Const(count), ...simd(0xcb)];
export const i64ShrU = (a: Code, count: number): Code => [...a, ...op.i32Const(count), ...simd(0xcd)];
/** Scalar f64 of one lane. */
export const lane = (a: Code, index: 0 | 1): Code => [...a, ...op.f64x2ExtractLane(index)];
/** v128 load / store at `base + offset` (base an i32 expression). */
export const load = (base: Code, offset = 0): Code => [...base, ...op.v128Load(offset)];
export const store = (base: Code, value: Code, offset = 0): Code => [...base, ...value, ...op.v128Store(offset)];

/** Scalar f64 operations used for loop counters. */
export const f64Max = (a: Code, b: Code): Code => [...a, ...b, 0xa5];
export const f64Sub = (a: Code, b: Code): Code => [...a, ...b, 0xa1];
export const f64Lt = (a: Code, b: Code): Code => [...a, ...b, 0x63];
export const splat = (a: Code): Code => [...a, ...op.f64x2Splat()];

/** `if (cond) { then }` for an i32 condition, no result. */
export const when = (cond: Code, then: Code): Code => [...cond, 0x04, 0x40, ...then, 0x0b];
export const i32Eqz = (a: Code): Code => [...a, 0x45];
