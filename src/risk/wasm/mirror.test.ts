/**
 * The kernel's mirror of a book (./mirror.ts): whole chunks read from it give the scratch path's doubles; a chunk is
 * copied once and served from then on while its stamp and generation stay (shown by a write the test does not
 * report: the mirror keeps the old positions), copied again when either moves; ranges that are not one whole chunk,
 * and chunks beyond the cap, take the scratch copy.
 */
import { describe, expect, it } from "vitest";
import { Xoshiro256StarStar } from "../../math/rng.js";
import { createWasmAggregator, MIRROR_ACCOUNTS } from "./kernel.js";
import type { MirrorLimits, WasmAggregator } from "./kernel.js";

const S = 5;
const ROWS = 7;

/** A book of `n` accounts of 0 to 5 positions with two spare slots each (lengths given, as live/book.ts lays it). */
function book(n: number) {
  const rng = Xoshiro256StarStar.fromSeed(11);
  const offsets = new Int32Array(n + 1);
  const lengths = new Int32Array(n);
  const row: number[] = [];
  const size: number[] = [];
  for (let a = 0; a < n; a++) {
    offsets[a] = row.length;
    lengths[a] = Math.floor(rng.nextDouble() * 6);
    for (let k = 0; k < lengths[a]! + 2; k++) {
      row.push(Math.floor(rng.nextDouble() * ROWS));
      size.push(k < lengths[a]! ? rng.nextDouble() * 10 - 5 : 0);
    }
  }
  offsets[n] = row.length;
  return { offsets, lengths, row: Int32Array.from(row), size: Float64Array.from(size), stamp: 1, generation: new Int32Array(Math.ceil(n / MIRROR_ACCOUNTS)), accountGeneration: new Int32Array(n) };
}

function kernel(limits?: MirrorLimits): WasmAggregator {
  const k = createWasmAggregator(S, 0, "columns", limits);
  if (k === null) throw new Error("no WebAssembly SIMD");
  const rng = Xoshiro256StarStar.fromSeed(3);
  k.loadArrays(Float64Array.from({ length: ROWS * S }, () => rng.nextDouble() * 2 - 1), ROWS);
  k.setDampener(null);
  return k;
}

type Book = ReturnType<typeof book>;

/** Worst losses of every account, chunk by chunk as the live pass calls (with the mirror source, or without). */
function worst(k: WasmAggregator, b: Book, mirrored: boolean): number[] {
  const n = b.lengths.length;
  const out = new Float64Array(n);
  for (let a0 = 0; a0 < n; a0 += MIRROR_ACCOUNTS) k.worstLoss(b.offsets, b.row, b.size, a0, Math.min(n, a0 + MIRROR_ACCOUNTS), out, a0, b.lengths, mirrored ? b : undefined);
  return Array.from(out);
}

describe("the kernel's book mirror", () => {
  it("serves each whole chunk from its copy until the chunk's generation or the book's stamp moves", () => {
    const b = book(2500);
    const k = kernel();
    const expected = worst(kernel(), b, false);
    expect(worst(k, b, true)).toEqual(expected);
    expect([k.mirror.copies, k.mirror.hits]).toEqual([3, 0]);
    expect(worst(k, b, true)).toEqual(expected);
    expect([k.mirror.copies, k.mirror.hits]).toEqual([3, 3]);
    // A write without its generation bump is not seen (the copy is what the kernel reads)...
    const a = 1500;
    b.size[b.offsets[a]!] = 1e6;
    b.lengths[a] = Math.max(1, b.lengths[a]!);
    const changed = worst(kernel(), b, false);
    expect(changed[a]).not.toBe(expected[a]);
    expect(worst(k, b, true)).toEqual(expected);
    // ...nor with the chunk's generation alone (no account of it changed)...
    Atomics.add(b.generation, Math.floor(a / MIRROR_ACCOUNTS), 1);
    expect(worst(k, b, true)).toEqual(expected);
    // ...and is once the account's generation moves too: that account alone is copied again.
    b.accountGeneration[a]!++;
    Atomics.add(b.generation, Math.floor(a / MIRROR_ACCOUNTS), 1);
    expect(worst(k, b, true)).toEqual(changed);
    expect([k.mirror.copies, k.mirror.accountCopies]).toEqual([3, 1]);
    // New arrays (a compaction) come with a new stamp: every chunk copied again.
    b.stamp = 2;
    expect(worst(k, b, true)).toEqual(changed);
    expect([k.mirror.copies, k.mirror.accountCopies]).toEqual([6, 1]);
  });

  it("copies into the scratch what the mirror cannot hold: a range that is not one whole chunk, chunks beyond the cap", () => {
    const b = book(2500);
    const expected = worst(kernel(), b, false);
    const k = kernel();
    const out = new Float64Array(2500);
    k.worstLoss(b.offsets, b.row, b.size, 0, 2500, out, 0, b.lengths, b);
    k.worstLoss(b.offsets, b.row, b.size, 100, 1124, out, 100, b.lengths, b);
    expect(Array.from(out)).toEqual(expected);
    expect(k.mirror.copies + k.mirror.hits).toBe(0);
    // Room for about one chunk: the rest through the scratch, the same doubles, pass after pass.
    const probe = kernel();
    probe.worstLoss(b.offsets, b.row, b.size, 0, MIRROR_ACCOUNTS, out, 0, b.lengths, b);
    const cap = Math.ceil(probe.mirror.bytes * 1.5);
    const small = kernel({ capBytes: cap });
    for (let pass = 0; pass < 4; pass++) expect(worst(small, b, true)).toEqual(expected);
    expect(small.mirror.bytes).toBeLessThanOrEqual(cap);
    expect(small.mirror.hits).toBeGreaterThan(0);
    const off = kernel({ capBytes: 0 });
    expect(worst(off, b, true)).toEqual(expected);
    expect(off.mirror.copies + off.mirror.hits).toBe(0);
  });

  it("a cap reached by chunks no longer read (an old stamp) is reclaimed", () => {
    // Room for the book once, not twice.
    newStamps((bookBytes) => ({ capBytes: Math.ceil(bookBytes * 1.5) }), 6, (bytes, bookBytes) => expect(bytes).toBeLessThanOrEqual(Math.ceil(bookBytes * 1.5)));
  });

  it("without a cap, copies of books no longer read are reclaimed once they outweigh the ones read", () => {
    // Bounded (twice what the last two rounds read, which may still include the stamp before): not a copy per stamp.
    newStamps(() => ({ floorBytes: 0 }), 8, (bytes, bookBytes) => expect(bytes).toBeLessThanOrEqual(4 * bookBytes));
  });
});

/**
 * The same book under `stamps` new stamps in turn (a compaction each), three passes each, on a kernel with the
 * given limits (from the bytes of one copy of the book): every pass the same doubles, the third served whole from the
 * mirror (the old stamps' copies reclaimed), and `bounded` checks the mirror's bytes after it.
 */
function newStamps(limits: (bookBytes: number) => MirrorLimits, stamps: number, bounded: (bytes: number, bookBytes: number) => void): void {
  const b = book(2500);
  const expected = worst(kernel(), b, false);
  const probe = kernel();
  worst(probe, b, true);
  const k = kernel(limits(probe.mirror.bytes));
  for (let stamp = 1; stamp <= stamps; stamp++) {
    b.stamp = stamp;
    for (let pass = 0; pass < 2; pass++) expect(worst(k, b, true)).toEqual(expected);
    const hits = k.mirror.hits;
    expect(worst(k, b, true)).toEqual(expected);
    expect(k.mirror.hits - hits).toBe(3);
    bounded(k.mirror.bytes, probe.mirror.bytes);
  }
}
