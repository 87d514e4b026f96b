/**
 * Bitmap counting: the word-at-a-time path (aligned bitmaps of 64+ bytes) and the byte path
 * agree with a bit-by-bit count, at any offset into a buffer and any bit length.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import fc from 'fast-check';
import { countBits, getBit } from '../../store/bitmap.js';

function naive(bitmap: Uint8Array, bits: number): number {
  let count = 0;
  for (let index = 0; index < bits; index++) if (getBit(bitmap, index)) count++;
  return count;
}

describe('store: bitmaps', () => {
  it('counts set bits like a bit-by-bit count, aligned or not', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 700 }),
        fc.integer({ min: 0, max: 7 }),
        fc.nat(),
        (bytes, shift, cut) => {
          const buffer = new Uint8Array(bytes.length + 8);
          buffer.set(bytes, shift);
          const bitmap = buffer.subarray(shift, shift + bytes.length);
          const bits = bytes.length === 0 ? 0 : cut % (bytes.length * 8 + 1);
          assert.equal(countBits(bitmap, bits), naive(bitmap, bits));
        },
      ),
      { seed: 4, numRuns: 400 },
    );
    const full = new Uint8Array(8192).fill(0xff);
    assert.equal(countBits(full, 65_536), 65_536);
    assert.equal(countBits(full, 65_533), 65_533);
  });
});
