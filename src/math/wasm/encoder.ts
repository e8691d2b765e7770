/**
 * A minimal WebAssembly binary encoder: just enough of the MVP + fixed-width SIMD (v128) instruction set to emit the
 * aggregation kernels of risk/wasm/kernel.ts and the batch Black-76 kernel of pricing/wasm/ as bytes from TypeScript.
 * It sits in math/ because both layers use it and it knows nothing of markets.
 *
 * WHY emit bytes from TypeScript: the kernels are specialised per scenario count (the number of SIMD accumulators is
 * `ceil(scenarioCount / 2)`), so they are generated at run time anyway, and doing it here needs no native toolchain,
 * no `.wat` assembler at build time and no binary blob in the repository. The encoding follows the WebAssembly Core
 * Specification 2.0, §5 "Binary Format" (https://webassembly.github.io/spec/core/binary/), opcodes from §5.4.
 * @module
 */

/** WebAssembly value types (spec §5.3.1). */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F64 | typeof V128;

/** Unsigned LEB128 of a non-negative integer < 2^32. */
export function uleb128(value: number): number[] {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb128(value: number): number[] {
  const out: number[] = [];
  let n = value | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const signBit = (byte & 0x40) !== 0;
    if ((n === 0 && !signBit) || (n === -1 && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vector(items: readonly (readonly number[])[]): number[] {
  const out = uleb128(items.length);
  for (const item of items) out.push(...item);
  return out;
}

function name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...uleb128(bytes.length), ...bytes];
}

function section(id: number, content: readonly number[]): number[] {
  return [id, ...uleb128(content.length), ...content];
}

/** Instruction encoders; each returns the bytes of one instruction. Memory arguments use natural alignment. */
export const op = {
  localGet: (i: number): number[] => [0x20, ...uleb128(i)],
  localSet: (i: number): number[] => [0x21, ...uleb128(i)],
  localTee: (i: number): number[] => [0x22, ...uleb128(i)],
  i32Const: (v: number): number[] => [0x41, ...sleb128(v)],
  /** f64.const 0 (+0.0). */
  f64Zero: (): number[] => [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  i32Add: (): number[] => [0x6a],
  i32Sub: (): number[] => [0x6b],
  i32Mul: (): number[] => [0x6c],
  i32Shl: (): number[] => [0x74],
  i32GeS: (): number[] => [0x4e],
  i32Load: (offset = 0): number[] => [0x28, 2, ...uleb128(offset)],
  f64Load: (offset = 0): number[] => [0x2b, 3, ...uleb128(offset)],
  f64Store: (offset = 0): number[] => [0x39, 3, ...uleb128(offset)],
  f64Min: (): number[] => [0xa4],
  f64Add: (): number[] => [0xa0],
  f64Mul: (): number[] => [0xa2],
  f64Sub: (): number[] => [0xa1],
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  end: (): number[] => [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb128(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb128(depth)],
  // SIMD (prefix 0xFD, spec §5.4.8). v128 memory accesses declare alignment 2^4 as a hint only: unaligned is legal.
  v128Load: (offset: number): number[] => [0xfd, ...uleb128(0x00), 4, ...uleb128(offset)],
  v128Store: (offset: number): number[] => [0xfd, ...uleb128(0x0b), 4, ...uleb128(offset)],
  v128Zero: (): number[] => [0xfd, ...uleb128(0x0c), ...new Array<number>(16).fill(0)],
  f64x2Splat: (): number[] => [0xfd, ...uleb128(0x14)],
  f64x2ExtractLane: (lane: 0 | 1): number[] => [0xfd, ...uleb128(0x21), lane],
  f64x2Add: (): number[] => [0xfd, ...uleb128(0xf0)],
  f64x2Mul: (): number[] => [0xfd, ...uleb128(0xf2)],
  f64x2Min: (): number[] => [0xfd, ...uleb128(0xf4)],
  // Scalar and SIMD instructions of the delta-groups kernel's single-precision screen (risk/wasm/kernel.ts).
  f64Const: (v: number): number[] => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)],
  f64Abs: (): number[] => [0x99],
  f64Gt: (): number[] => [0x64],
  f64Lt: (): number[] => [0x63],
  f64ConvertI32S: (): number[] => [0xb7],
  f64PromoteF32: (): number[] => [0xbb],
  f32DemoteF64: (): number[] => [0xb6],
  f32Min: (): number[] => [0x96],
  i32Ctz: (): number[] => [0x68],
  i32And: (): number[] => [0x71],
  i32Or: (): number[] => [0x72],
  i32Store: (offset = 0): number[] => [0x36, 2, ...uleb128(offset)],
  i32Xor: (): number[] => [0x73],
  i32Eqz: (): number[] => [0x45],
  i32LtS: (): number[] => [0x48],
  /** select: the first operand when the i32 condition is non-zero, else the second. */
  select: (): number[] => [0x1b],
  /** if … end with no result. */
  if: (): number[] => [0x04, 0x40],
  call: (index: number): number[] => [0x10, ...uleb128(index)],
  f32x4Splat: (): number[] => [0xfd, ...uleb128(0x13)],
  f32x4ExtractLane: (lane: 0 | 1 | 2 | 3): number[] => [0xfd, ...uleb128(0x1f), lane],
  f32x4Gt: (): number[] => [0xfd, ...uleb128(0x44)],
  f32x4Add: (): number[] => [0xfd, ...uleb128(0xe4)],
  f32x4Mul: (): number[] => [0xfd, ...uleb128(0xe6)],
  f32x4Min: (): number[] => [0xfd, ...uleb128(0xe8)],
  i32x4Bitmask: (): number[] => [0xfd, ...uleb128(0xa4)],
} as const;

/** One function of a module: its type index, its extra locals (runs of one type) and its body (without `end`). */
export interface FunctionDef {
  readonly typeIndex: number;
  readonly locals: readonly (readonly [count: number, type: ValType])[];
  readonly body: readonly number[];
  readonly exportName: string;
}

/**
 * Encode a module that imports one linear memory as `env.memory` (minimum `minPages`, unshared) and exports the
 * given functions. `types` are function signatures `[params, results]`.
 */
export function encodeModule(
  types: readonly (readonly [params: readonly ValType[], results: readonly ValType[]])[],
  functions: readonly FunctionDef[],
  minPages = 1,
): Uint8Array {
  const bytes: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  bytes.push(...section(1, vector(types.map(([p, r]) => [0x60, ...vector(p.map((t) => [t])), ...vector(r.map((t) => [t]))]))));
  // Import section: one memory import, limits flag 0x00 = minimum only.
  bytes.push(...section(2, vector([[...name("env"), ...name("memory"), 0x02, 0x00, ...uleb128(minPages)]])));
  bytes.push(...section(3, vector(functions.map((f) => uleb128(f.typeIndex)))));
  // Export section: function exports (kind 0x00). Imported memory is not re-exported; the host keeps it.
  bytes.push(...section(7, vector(functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb128(i)]))));
  const bodies = functions.map((f) => {
    const body = [...vector(f.locals.map(([count, type]) => [...uleb128(count), type])), ...f.body, 0x0b];
    return [...uleb128(body.length), ...body];
  });
  bytes.push(...section(10, vector(bodies)));
  return new Uint8Array(bytes);
}
