/**
 * The equality index's table: key → row ids, open addressing over typed arrays (V8's Map stops
 * at 2^24 entries and costs ~80 bytes an entry; this costs 16 bytes a slot at load ≤ 1/2).
 * A slot holds a single row id (≥ 0) or, for a key with several rows, −(list index + 1) into
 * `lists`. Keys are numbers (floats, days, row ids, dictionary codes) or bigints (Int columns
 * past ±2^53). Entries are only added: a row whose value changed stays listed under its old
 * key too, and the reader re-checks the value (see index-manager.ts).
 */

const EMPTY = Number.NaN;
const LOAD_FACTOR_MAX = 0.5;
const SLOTS_MIN = 16;

const scratch = new ArrayBuffer(8);
const scratchFloat = new Float64Array(scratch);
const scratchBigInt = new BigInt64Array(scratch);
const scratchWords = new Uint32Array(scratch);

function mix(low: number, high: number): number {
  let hash = Math.imul(low ^ Math.imul(high, 0x9e37_79b1), 0x85eb_ca6b);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0xc2b2_ae35);
  return (hash ^ (hash >>> 13)) >>> 0;
}

export function hashNumber(key: number): number {
  scratchFloat[0] = key;
  return mix(scratchWords[0]!, scratchWords[1]!);
}

export function hashBigInt(key: bigint): number {
  scratchBigInt[0] = key;
  return mix(scratchWords[0]!, scratchWords[1]!);
}

export class HashPostings {
  private keys: Float64Array | BigInt64Array;
  private slots: Float64Array;
  private mask: number;
  private used = 0;
  private readonly lists: number[][] = [];
  /** Row entries added, stale ones included. */
  entries = 0;

  constructor(
    private readonly bigint: boolean,
    expectedKeys = 0,
  ) {
    let capacity = SLOTS_MIN;
    while (capacity * LOAD_FACTOR_MAX < expectedKeys) capacity *= 2;
    this.keys = bigint ? new BigInt64Array(capacity) : new Float64Array(capacity);
    this.slots = new Float64Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  get distinctKeys(): number {
    return this.used;
  }

  /** Bytes held, for memory reports. */
  get bytes(): number {
    let listBytes = 0;
    for (const list of this.lists) listBytes += 16 + list.length * 8;
    return this.keys.byteLength + this.slots.byteLength + listBytes;
  }

  private slotOf(key: number | bigint): number {
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    let slot = (this.bigint ? hashBigInt(key as bigint) : hashNumber(key as number)) & mask;
    for (;;) {
      if (Number.isNaN(slots[slot]!) || keys[slot] === key) return slot;
      slot = (slot + 1) & mask;
    }
  }

  add(key: number | bigint, row: number): void {
    if (this.used + 1 > this.slots.length * LOAD_FACTOR_MAX) this.grow();
    const slot = this.slotOf(key);
    const current = this.slots[slot]!;
    this.entries++;
    if (Number.isNaN(current)) {
      (this.keys as Float64Array)[slot] = key as number;
      this.slots[slot] = row;
      this.used++;
    } else if (current >= 0) {
      this.slots[slot] = -(this.lists.length + 1);
      this.lists.push([current, row]);
    } else {
      this.lists[-current - 1]!.push(row);
    }
  }

  /** Rows listed under `key` (possibly stale, possibly repeated), in insertion order. */
  rows(key: number | bigint): readonly number[] {
    const slot = this.slotOf(key);
    const current = this.slots[slot]!;
    if (Number.isNaN(current)) return [];
    if (current >= 0) return [current];
    return this.lists[-current - 1]!;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    const capacity = oldSlots.length * 2;
    this.keys = this.bigint ? new BigInt64Array(capacity) : new Float64Array(capacity);
    this.slots = new Float64Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let slot = 0; slot < oldSlots.length; slot++) {
      const value = oldSlots[slot]!;
      if (Number.isNaN(value)) continue;
      const target = this.slotOf(oldKeys[slot]!);
      (this.keys as Float64Array)[target] = oldKeys[slot] as number;
      this.slots[target] = value;
    }
  }
}
