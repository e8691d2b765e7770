/**
 * A kernel's mirror of the books it aggregates: per (book, chunk of {@link MIRROR_ACCOUNTS} accounts), a copy of the
 * chunk's position ranges, rows and sizes in the kernel's own memory, copied again only when the book's generation
 * counter of that chunk moved.
 *
 * WHY: WebAssembly reads only its own memory, and copying each chunk of the book into a scratch area before every call
 * cost ~8 ms of a 64 ms all-moving tick at 100,000 accounts (3.2 M position slots, 12 bytes each, streamed from DRAM
 * and written again). Between ticks most of a book does not change (fills and liquidations touch a few accounts; the
 * sizes held in USD contracts are the exception, their chunks are copied again): the kernel then reads the mirror.
 *
 * The contract with the book's writers (live/book.ts): `stamp` identifies the arrays (a new value when they are
 * replaced; a new book never reuses one while a kernel may hold mirrors of it), and every write to an account's
 * row, sizes or length is followed by an increment of the account's generation, then of its chunk's (atomic). A
 * chunk whose generation moved is brought up to date account by account: only the accounts whose generation moved
 * are copied (a fill copies one account; the sizes of USD contracts, written every tick the mark moves, copy the
 * accounts holding them, not the chunk). Generations are read before the copy they stand for, so a write racing with
 * a copy leaves an older generation in the mirror: copied again at the next call.
 *
 * Memory: ~12 bytes per position slot and 8 per account, per kernel (each thread has its own). At most `capBytes`
 * (allocations beyond it, or beyond what the memory can grow to, fall back to the caller's scratch copy). Space of
 * entries no longer read (a compacted book, a group rebuilt with a new account: a helper's kernel outlives groups) is
 * reclaimed by starting over: when more than twice the bytes of the entries read in the last two rounds over them
 * (plus `floorBytes`) is allocated, and when the cap is reached (then at most once per two rounds, so a working set
 * larger than the cap does not copy in circles). A wasm memory never shrinks: the reset bounds its growth.
 * @module
 */

/** Accounts per generation counter and per mirrored chunk. */
export const MIRROR_ACCOUNTS = 1024;

/** What a kernel needs of a book to mirror it (live/book.ts BucketBook carries both). */
export interface MirrorSource {
  /** Identity of the book's offsets, rows, sizes and lengths: a new value whenever the arrays are replaced. */
  readonly stamp: number;
  /** Entry c: generation of accounts [c × MIRROR_ACCOUNTS, (c + 1) × MIRROR_ACCOUNTS), bumped after every write. */
  readonly generation: Int32Array;
  /** Per account: bumped after every write to its segment (before its chunk's). */
  readonly accountGeneration: Int32Array;
}

/** Default mirror cap per kernel: the whole book of ~2.5 M accounts of 30 positions. */
export const MIRROR_CAP_BYTES = 1 << 30;
/** Default slack over twice the bytes read in the last rounds before unread entries are reclaimed. */
export const MIRROR_FLOOR_BYTES = 64 << 20;

/** Limits of a mirror (see the module comment). */
export interface MirrorLimits {
  readonly capBytes?: number;
  readonly floorBytes?: number;
}

/** Where a chunk's book is in the kernel's memory: per-account [from, to) pairs, rows (i32), sizes (f64). */
export interface Placed {
  offPtr: number;
  idxPtr: number;
  sizePtr: number;
}

interface Entry {
  readonly accounts: number;
  readonly positions: number;
  readonly offPtr: number;
  readonly idxPtr: number;
  readonly sizePtr: number;
  generation: number;
  /** The generation of each account when it was copied. */
  readonly accountGeneration: Int32Array;
  readonly bytes: number;
  /** The last round that read it. */
  round: number;
}

const align = (bytes: number, to: number): number => Math.ceil(bytes / to) * to;

/** The mirror's access to the kernel's memory. */
export interface MirrorMemory {
  /** Make bytes [0, end) addressable (growing the memory; views re-made); false when it cannot. */
  reserve(end: number): boolean;
  /** Copy the book of accounts [a0, a1) to the given addresses (ranges rebased to the chunk's first slot). */
  copy(offsets: Int32Array, idx: Int32Array, size: Float64Array, a0: number, a1: number, lengths: Int32Array | undefined, at: Placed): void;
  /** Copy account `a`'s range and segment alone into the copy of the chunk starting at `a0`. */
  copyAccount(offsets: Int32Array, idx: Int32Array, size: Float64Array, a0: number, a: number, lengths: Int32Array | undefined, at: Placed): void;
}

export interface Mirror {
  /** Mirrored bytes allocated (entries in use or abandoned since the last reset). */
  readonly bytes: number;
  /** Calls served without a copy, whole chunks copied, accounts copied alone (statistics for tests and benchmarks). */
  readonly hits: number;
  readonly copies: number;
  readonly accountCopies: number;
  /**
   * Point `at` at the mirror of accounts [a0, a1) of `source` (copied first when missing or stale) and return true;
   * false when the range is not one whole chunk or the mirror is full (the caller copies into its scratch).
   */
  place(source: MirrorSource, offsets: Int32Array, idx: Int32Array, size: Float64Array, a0: number, a1: number, lengths: Int32Array | undefined, at: Placed): boolean;
  /** Drop every entry and allocate again from `base` (the kernel's layout moved its end there). */
  rebase(base: number): void;
}

export function createMirror(memory: MirrorMemory, limits: MirrorLimits = {}): Mirror {
  const capBytes = limits.capBytes ?? MIRROR_CAP_BYTES;
  const floorBytes = limits.floorBytes ?? MIRROR_FLOOR_BYTES;
  const entries = new Map<number, Entry>();
  let base = 0;
  let top = 0;
  let calls = 0;
  let callsAtReset = 0;
  let hits = 0;
  let copies = 0;
  let accountCopies = 0;
  // Rounds of about one call per entry. Bytes of the entries read in this round or the one before (each once):
  // `readBefore` (the one before) + `fresh` (read in this round, not in the one before).
  let round = 0;
  let callsInRound = 0;
  let readBytes = 0;
  let readBefore = 0;
  let fresh = 0;
  const reset = (): void => {
    entries.clear();
    top = base;
    callsAtReset = calls;
    readBytes = 0;
    readBefore = 0;
    fresh = 0;
  };
  const read = (e: Entry): void => {
    if (e.round === round) return;
    if (e.round !== round - 1) fresh += e.bytes;
    e.round = round;
    readBytes += e.bytes;
  };
  const allocate = (accounts: number, positions: number): Entry | undefined => {
    const offBytes = align(accounts * 8, 64);
    const idxBytes = align(positions * 4, 64);
    const need = offBytes + idxBytes + align(positions * 8, 64);
    // Mostly entries nobody read lately (books dropped or replaced): start over rather than grow.
    if (top + need - base > 2 * (readBefore + fresh) + floorBytes) reset();
    if (top + need - base > capBytes || !memory.reserve(top + need)) {
      // Full: reclaim abandoned entries by starting over, unless the last reset is recent (the entries then are the
      // working set: starting over would copy each chunk again every round).
      if (calls - callsAtReset < 2 * entries.size) return undefined;
      reset();
      if (need > capBytes || !memory.reserve(top + need)) return undefined;
    }
    const e: Entry = { accounts, positions, offPtr: top, idxPtr: top + offBytes, sizePtr: top + offBytes + idxBytes, generation: 0, accountGeneration: new Int32Array(accounts), bytes: need, round: -1 };
    top += need;
    return e;
  };
  return {
    get bytes() {
      return top - base;
    },
    get hits() {
      return hits;
    },
    get copies() {
      return copies;
    },
    get accountCopies() {
      return accountCopies;
    },
    place(source, offsets, idx, size, a0, a1, lengths, at) {
      if (capBytes <= 0 || a0 % MIRROR_ACCOUNTS !== 0 || a1 !== Math.min(offsets.length - 1, a0 + MIRROR_ACCOUNTS)) return false;
      calls++;
      if (++callsInRound > entries.size) {
        round++;
        callsInRound = 0;
        readBefore = readBytes;
        readBytes = 0;
        fresh = 0;
      }
      const c = a0 / MIRROR_ACCOUNTS;
      // Read before the copy: a write racing with it bumps the generation after, so the copy is redone next time.
      const generation = Atomics.load(source.generation, c);
      // A number key (stamps and chunks both < 2^31): no string per call.
      const key = source.stamp * 2 ** 21 + c;
      const positions = (offsets[a1] as number) - (offsets[a0] as number);
      let e = entries.get(key);
      if (e !== undefined && (e.accounts !== a1 - a0 || e.positions !== positions)) {
        // The stamp's contract broken (arrays replaced without a new stamp): never serve that entry.
        entries.delete(key);
        e = undefined;
      }
      const gens = source.accountGeneration;
      if (e === undefined) {
        e = allocate(a1 - a0, positions);
        if (e === undefined) return false;
        entries.set(key, e);
        for (let a = a0; a < a1; a++) e.accountGeneration[a - a0] = gens[a] as number;
        memory.copy(offsets, idx, size, a0, a1, lengths, e);
        copies++;
      } else if (e.generation === generation) {
        hits++;
      } else {
        const copied = e.accountGeneration;
        for (let a = a0; a < a1; a++) {
          const g = gens[a] as number;
          if (g === copied[a - a0]) continue;
          copied[a - a0] = g;
          memory.copyAccount(offsets, idx, size, a0, a, lengths, e);
          accountCopies++;
        }
      }
      e.generation = generation;
      read(e);
      at.offPtr = e.offPtr;
      at.idxPtr = e.idxPtr;
      at.sizePtr = e.sizePtr;
      return true;
    },
    rebase(at) {
      base = align(at, 64);
      reset();
    },
  };
}
