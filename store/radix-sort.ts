/**
 * Stable LSD radix sorts of row ids by 32- or 64-bit unsigned keys (16-bit digits): O(n) where
 * a comparison sort of 10 M rows in JavaScript takes seconds. Keys of other types are mapped to
 * unsigned keys that sort in the same order (see `sortableFloat64`). Ties keep the input order,
 * so rows given ascending come out ascending within equal keys.
 */

const DIGIT_BITS = 16;
const DIGIT_COUNT = 1 << DIGIT_BITS;
const DIGIT_MASK = DIGIT_COUNT - 1;

function pass(
  sourceRows: Uint32Array,
  targetRows: Uint32Array,
  sourceKeys: Uint32Array[],
  targetKeys: Uint32Array[],
  digitOf: Uint32Array,
  shift: number,
  counts: Uint32Array,
): void {
  const length = sourceRows.length;
  counts.fill(0);
  for (let index = 0; index < length; index++) counts[(digitOf[index]! >>> shift) & DIGIT_MASK]!++;
  let total = 0;
  for (let digit = 0; digit < DIGIT_COUNT; digit++) {
    const count = counts[digit]!;
    counts[digit] = total;
    total += count;
  }
  for (let index = 0; index < length; index++) {
    const position = counts[(digitOf[index]! >>> shift) & DIGIT_MASK]!++;
    targetRows[position] = sourceRows[index]!;
    for (let keyIndex = 0; keyIndex < sourceKeys.length; keyIndex++) {
      targetKeys[keyIndex]![position] = sourceKeys[keyIndex]![index]!;
    }
  }
}

/** Sort `rows` by `keys` (same length); both arrays are reordered copies in the result. */
export function sortRowsByKey32(keys: Uint32Array, rows: Uint32Array): Uint32Array {
  let currentRows = rows.slice();
  let currentKeys = keys.slice();
  let spareRows = new Uint32Array(rows.length);
  let spareKeys = new Uint32Array(rows.length);
  const counts = new Uint32Array(DIGIT_COUNT);
  for (const shift of [0, DIGIT_BITS]) {
    pass(currentRows, spareRows, [currentKeys], [spareKeys], currentKeys, shift, counts);
    [currentRows, spareRows] = [spareRows, currentRows];
    [currentKeys, spareKeys] = [spareKeys, currentKeys];
  }
  return currentRows;
}

/** Sort `rows` by the 64-bit keys (high, low words). */
export function sortRowsByKey64(
  high: Uint32Array,
  low: Uint32Array,
  rows: Uint32Array,
): Uint32Array {
  let currentRows = rows.slice();
  let currentHigh = high.slice();
  let currentLow = low.slice();
  let spareRows = new Uint32Array(rows.length);
  let spareHigh = new Uint32Array(rows.length);
  let spareLow = new Uint32Array(rows.length);
  const counts = new Uint32Array(DIGIT_COUNT);
  for (const [word, shift] of [
    ['low', 0],
    ['low', DIGIT_BITS],
    ['high', 0],
    ['high', DIGIT_BITS],
  ] as const) {
    const digitOf = word === 'low' ? currentLow : currentHigh;
    pass(
      currentRows,
      spareRows,
      [currentHigh, currentLow],
      [spareHigh, spareLow],
      digitOf,
      shift,
      counts,
    );
    [currentRows, spareRows] = [spareRows, currentRows];
    [currentHigh, spareHigh] = [spareHigh, currentHigh];
    [currentLow, spareLow] = [spareLow, currentLow];
  }
  return currentRows;
}

const scratch = new ArrayBuffer(8);
const scratchFloat = new Float64Array(scratch);
const scratchBigInt = new BigInt64Array(scratch);
const scratchWords = new Uint32Array(scratch);

/**
 * Write the order-preserving unsigned 64-bit form of a float (IEEE-754 bits, sign flipped for
 * positives, all bits flipped for negatives) into high[index], low[index].
 */
export function sortableFloat64(
  value: number,
  high: Uint32Array,
  low: Uint32Array,
  index: number,
): void {
  scratchFloat[0] = value === 0 ? 0 : value;
  const lowWord = scratchWords[0]!;
  const highWord = scratchWords[1]!;
  if (highWord >>> 31 === 1) {
    high[index] = ~highWord >>> 0;
    low[index] = ~lowWord >>> 0;
  } else {
    high[index] = (highWord | 0x8000_0000) >>> 0;
    low[index] = lowWord;
  }
}

/** The order-preserving unsigned form of a signed 64-bit integer (sign bit flipped). */
export function sortableBigInt64(
  value: bigint,
  high: Uint32Array,
  low: Uint32Array,
  index: number,
): void {
  scratchBigInt[0] = value;
  low[index] = scratchWords[0]!;
  high[index] = (scratchWords[1]! ^ 0x8000_0000) >>> 0;
}
