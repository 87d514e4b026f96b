/**
 * Exact decimals, held as canonical strings: an optional `-`, digits with no leading zeros
 * (one `0` before the point at most), and a fraction with no trailing zeros; no point when the
 * fraction is empty. `-0` is `0`. Two decimals of equal value have equal strings, so `===`
 * and string dictionaries work on them. Arithmetic converts to a scaled bigint and back.
 */

export interface ScaledDecimal {
  readonly unscaled: bigint;
  /** Number of digits after the point (≥ 0). */
  readonly scale: number;
}

const DECIMAL_PATTERN = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/** Maximum digits after the point kept by a division (AVG, `/`). */
export const DECIMAL_DIVISION_SCALE = 18;

export function canonicalDecimal(text: string): string | undefined {
  const scaled = parseScaled(text);
  return scaled === undefined ? undefined : formatScaled(scaled);
}

export function parseScaled(text: string): ScaledDecimal | undefined {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1n : 1n;
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  if (whole === '' && fraction === '') return undefined;
  const exponent = match[4] === undefined ? 0 : Number(match[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return undefined;
  let digits = BigInt((whole + fraction).replace(/^0+(?=.)/, '') || '0');
  let scale = fraction.length - exponent;
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return normalizeScaled({ unscaled: sign * digits, scale });
}

/** Drop trailing zeros of the fraction. */
export function normalizeScaled(value: ScaledDecimal): ScaledDecimal {
  let { unscaled, scale } = value;
  while (scale > 0 && unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale -= 1;
  }
  return { unscaled, scale };
}

export function formatScaled(value: ScaledDecimal): string {
  const { unscaled, scale } = normalizeScaled(value);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function align(a: ScaledDecimal, b: ScaledDecimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [
    a.unscaled * 10n ** BigInt(scale - a.scale),
    b.unscaled * 10n ** BigInt(scale - b.scale),
    scale,
  ];
}

function scaledOf(text: string): ScaledDecimal {
  const scaled = parseScaled(text);
  if (scaled === undefined) throw new RangeError(`not a canonical decimal: ${text}`);
  return scaled;
}

export function compareDecimal(a: string, b: string): number {
  const [x, y] = align(scaledOf(a), scaledOf(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addDecimal(a: string, b: string): string {
  const [x, y, scale] = align(scaledOf(a), scaledOf(b));
  return formatScaled({ unscaled: x + y, scale });
}

export function subtractDecimal(a: string, b: string): string {
  const [x, y, scale] = align(scaledOf(a), scaledOf(b));
  return formatScaled({ unscaled: x - y, scale });
}

export function multiplyDecimal(a: string, b: string): string {
  const x = scaledOf(a);
  const y = scaledOf(b);
  return formatScaled({ unscaled: x.unscaled * y.unscaled, scale: x.scale + y.scale });
}

/** a / b rounded half away from zero to DECIMAL_DIVISION_SCALE digits; b must not be zero. */
export function divideDecimal(a: string, b: string, scale = DECIMAL_DIVISION_SCALE): string {
  const x = scaledOf(a);
  const y = scaledOf(b);
  if (y.unscaled === 0n) throw new RangeError('division by zero');
  // a/b = (x.u / 10^x.s) / (y.u / 10^y.s); scale the numerator so the quotient has `scale`+1 digits.
  const shift = scale + 1 + y.scale - x.scale;
  const numerator =
    shift >= 0 ? x.unscaled * 10n ** BigInt(shift) : x.unscaled / 10n ** BigInt(-shift);
  let quotient = numerator / y.unscaled;
  const roundDigit = quotient % 10n;
  quotient /= 10n;
  if (roundDigit >= 5n) quotient += 1n;
  else if (roundDigit <= -5n) quotient -= 1n;
  return formatScaled({ unscaled: quotient, scale });
}

export function decimalToNumber(a: string): number {
  return Number(a);
}
