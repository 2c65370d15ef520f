/**
 * Hostile JSON for the fuzz tests of every app: SQL and script fragments, control and bidi characters,
 * overlong strings, numbers no kopeck can be (negative, fractional, beyond 2^53), nested under the
 * field names the app's routes read, so generated bodies reach its checks rather than its parser only.
 */
import fc from 'fast-check';

export const HOSTILE_STRINGS = [
  "'; DROP TABLE payments; --",
  "'; DROP TABLE operations; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '../../etc/passwd',
  '%00',
  '%n%s',
  '\u0000',
  '\u202e',
  '𝕏'.repeat(50),
  'a'.repeat(10_000),
  ' ',
  '',
  'null',
  'NaN',
  '-0',
  '-1',
  '1e309',
  '0x10',
  '１２３',
  'Ленина',
  '${7*7}',
  '{{7*7}}',
  '\\',
  '\n\r\t',
];
export const HOSTILE_NUMBERS = [-1, -0, 0.5, 1.005, 1e21, 2 ** 53 + 1, -(2 ** 63), Number.MAX_SAFE_INTEGER, 99_999_999_999_999];

/** Any JSON value, hostile at every depth, with objects keyed by `fields`. */
export function hostileValue(fields: readonly string[]): fc.Arbitrary<unknown> {
  return fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(...HOSTILE_STRINGS),
      fc.constantFrom(...HOSTILE_NUMBERS),
      fc.string({ maxLength: 40 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.uuid(),
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom(...fields), tie('v'), { maxKeys: 4 }),
    ),
  })).v;
}
