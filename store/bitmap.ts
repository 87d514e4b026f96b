/**
 * Bitmaps over rows, least significant bit first (Arrow's layout): bit `i` is
 * `(bitmap[i >>> 3] >>> (i & 7)) & 1`. Validity bitmaps say 1 = a value is present; deleted
 * bitmaps say 1 = the row is deleted.
 */

export function bitmapBytes(bits: number): number {
  return (bits + 7) >>> 3;
}

export function getBit(bitmap: Uint8Array, index: number): boolean {
  return ((bitmap[index >>> 3]! >>> (index & 7)) & 1) === 1;
}

export function setBit(bitmap: Uint8Array, index: number): void {
  bitmap[index >>> 3]! |= 1 << (index & 7);
}

export function clearBit(bitmap: Uint8Array, index: number): void {
  bitmap[index >>> 3]! &= ~(1 << (index & 7));
}

export function writeBit(bitmap: Uint8Array, index: number, on: boolean): void {
  if (on) setBit(bitmap, index);
  else clearBit(bitmap, index);
}

const POPCOUNT = new Uint8Array(256);
for (let byte = 1; byte < 256; byte++) POPCOUNT[byte] = (byte & 1) + POPCOUNT[byte >>> 1]!;

/** Set bits of a 32-bit word (SWAR popcount). */
function popcount32(word: number): number {
  let value = word - ((word >>> 1) & 0x55555555);
  value = (value & 0x33333333) + ((value >>> 2) & 0x33333333);
  value = (value + (value >>> 4)) & 0x0f0f0f0f;
  return Math.imul(value, 0x01010101) >>> 24;
}

/** Number of set bits among the first `bits` bits. */
export function countBits(bitmap: Uint8Array, bits: number): number {
  const wholeBytes = bits >>> 3;
  let count = 0;
  let byteIndex = 0;
  // Four bytes at a time where the bitmap is aligned for it (a batch's deleted bitmap is
  // counted each time the batch is read).
  if ((bitmap.byteOffset & 3) === 0 && wholeBytes >= 64) {
    const words = new Uint32Array(bitmap.buffer, bitmap.byteOffset, wholeBytes >>> 2);
    for (let wordIndex = 0; wordIndex < words.length; wordIndex++) {
      count += popcount32(words[wordIndex]!);
    }
    byteIndex = words.length << 2;
  }
  for (; byteIndex < wholeBytes; byteIndex++) {
    count += POPCOUNT[bitmap[byteIndex]!]!;
  }
  const rest = bits & 7;
  if (rest !== 0) count += POPCOUNT[bitmap[wholeBytes]! & ((1 << rest) - 1)]!;
  return count;
}

/** A bitmap of `bits` bits, all set. */
export function fullBitmap(bits: number, capacityBits = bits): Uint8Array {
  const bitmap = new Uint8Array(bitmapBytes(capacityBits));
  bitmap.fill(0xff, 0, bits >>> 3);
  for (let index = bits & ~7; index < bits; index++) setBit(bitmap, index);
  return bitmap;
}

/** Copy `bits` bits from `source` starting at bit `from` into a new bitmap starting at bit 0. */
export function sliceBits(source: Uint8Array, from: number, bits: number): Uint8Array {
  if ((from & 7) === 0) return source.slice(from >>> 3, (from >>> 3) + bitmapBytes(bits));
  const result = new Uint8Array(bitmapBytes(bits));
  for (let index = 0; index < bits; index++) {
    if (getBit(source, from + index)) setBit(result, index);
  }
  return result;
}
