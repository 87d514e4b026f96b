import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CatrustError,
  compareValues,
  formatDate,
  normalizeInt,
  parseDateLiteral,
  parseDecimalLiteral,
  parseIntLiteral,
  parseUuidLiteral,
  valueFromJson,
  valueToJson,
} from '../../common/index.js';
import {
  addDecimal,
  compareDecimal,
  divideDecimal,
  multiplyDecimal,
  subtractDecimal,
} from '../../common/decimal.js';

function codeOf(thunk: () => unknown): string {
  try {
    thunk();
  } catch (error) {
    assert.ok(error instanceof CatrustError, `expected a CatrustError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected an error');
}

describe('common/scalar', () => {
  it('keeps Int exact across the 64-bit range and normalises safe values to numbers', () => {
    assert.equal(parseIntLiteral('42'), 42);
    assert.equal(parseIntLiteral('-9007199254740991'), -9007199254740991);
    assert.equal(parseIntLiteral('9007199254740993'), 9007199254740993n);
    assert.equal(parseIntLiteral('9223372036854775807'), 9223372036854775807n);
    assert.equal(parseIntLiteral('-9223372036854775808'), -9223372036854775808n);
    assert.equal(
      codeOf(() => parseIntLiteral('9223372036854775808')),
      'E_VALUE',
    );
    assert.equal(
      codeOf(() => parseIntLiteral('1.5')),
      'E_VALUE',
    );
    assert.equal(normalizeInt(5n), 5);
  });

  it('validates dates, including leap years, and round-trips them', () => {
    assert.equal(parseDateLiteral('1970-01-01'), 0);
    assert.equal(formatDate(parseDateLiteral('2024-02-29')), '2024-02-29');
    assert.equal(formatDate(parseDateLiteral('0001-01-01')), '0001-01-01');
    assert.equal(
      codeOf(() => parseDateLiteral('2023-02-29')),
      'E_VALUE',
    );
    assert.equal(
      codeOf(() => parseDateLiteral('2023-13-01')),
      'E_VALUE',
    );
    assert.equal(
      codeOf(() => parseDateLiteral('23-1-1')),
      'E_VALUE',
    );
    fc.assert(
      fc.property(fc.integer({ min: -719162, max: 2932896 }), (days) => {
        assert.equal(parseDateLiteral(formatDate(days)), days);
      }),
    );
  });

  it('counts days like the JavaScript calendar for every date of years 1–9999', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const text = date.toISOString().slice(0, 10);
          const days = Math.floor(date.getTime() / 86_400_000);
          assert.equal(parseDateLiteral(text), days, text);
          assert.equal(formatDate(days), text);
        },
      ),
      { numRuns: 2000, seed: 3 },
    );
    for (const bad of [
      '2024-1-01',
      '2024-01-0x',
      ' 2024-01-01',
      '2024/01/01',
      '0000-01-01',
      '2100-02-29',
    ]) {
      assert.throws(() => parseDateLiteral(bad), CatrustError, bad);
    }
  });

  it('lower-cases and validates UUIDs', () => {
    assert.equal(
      parseUuidLiteral('123E4567-E89B-12D3-A456-426614174000'),
      '123e4567-e89b-12d3-a456-426614174000',
    );
    assert.equal(
      codeOf(() => parseUuidLiteral('123e4567')),
      'E_VALUE',
    );
  });

  it('gives decimals one canonical spelling and exact arithmetic', () => {
    assert.equal(parseDecimalLiteral('012.500'), '12.5');
    assert.equal(parseDecimalLiteral('-0.000'), '0');
    assert.equal(parseDecimalLiteral('1e3'), '1000');
    assert.equal(parseDecimalLiteral('.25'), '0.25');
    assert.equal(addDecimal('0.1', '0.2'), '0.3');
    assert.equal(subtractDecimal('1', '1.01'), '-0.01');
    assert.equal(multiplyDecimal('1.5', '-2'), '-3');
    assert.equal(divideDecimal('1', '3', 5), '0.33333');
    assert.equal(divideDecimal('2', '3', 5), '0.66667');
    assert.equal(compareDecimal('10', '9.99'), 1);
    assert.equal(
      codeOf(() => parseDecimalLiteral('1.2.3')),
      'E_VALUE',
    );
  });

  it('maps values to and from JSON by the rules of the planner issue', () => {
    assert.equal(valueToJson('Int', 2n ** 60n), '1152921504606846976');
    assert.equal(valueToJson('Int', 7), 7);
    assert.equal(valueToJson('Date', 0), '1970-01-01');
    assert.equal(valueToJson('Decimal', '1.5'), '1.5');
    assert.equal(valueFromJson('Int', '1152921504606846976', 'rows[0].n'), 2n ** 60n);
    assert.equal(
      codeOf(() => valueFromJson('Int', 1.5, 'rows[0].n')),
      'E_VALUE',
    );
    assert.match(
      (() => {
        try {
          valueFromJson('String', 3, 'rows[2].emp_name');
        } catch (error) {
          return (error as Error).message;
        }
        return '';
      })(),
      /field `rows\[2\]\.emp_name`: expected a String value, found number 3/,
    );
  });

  it('orders mixed-representation Ints exactly', () => {
    assert.equal(compareValues('Int', 9007199254740991, 9007199254740993n), -1);
    assert.equal(compareValues('Int', 2n ** 62n, 5), 1);
  });
});
