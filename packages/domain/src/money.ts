/**
 * Money is an integer number of kopecks everywhere in Paydesk. Rubles appear only as text on screens
 * and documents, and as the two-decimal numbers that register protocols want.
 */
export type Kop = number;

/** The largest sum we accept anywhere: 10 billion rubles, far below 2^53 kopecks. */
export const MAX_KOP = 1_000_000_000_000;

const NBSP = '\u00a0';

export function isKop(value: unknown): value is Kop {
  return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) <= MAX_KOP;
}

export function assertKop(value: number, what = 'amount'): Kop {
  if (!isKop(value)) throw new RangeError(`${what} must be an integer number of kopecks, got ${String(value)}`);
  return value;
}

/** "1 234,56 ₽" with no-break spaces, so a sum never wraps across lines on a screen or a tape. */
export function formatRub(kop: Kop, options: { symbol?: boolean } = {}): string {
  assertKop(kop);
  const sign = kop < 0 ? '-' : '';
  const abs = Math.abs(kop);
  const rub = Math.floor(abs / 100);
  const rest = abs % 100;
  const grouped = String(rub).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  const text = `${sign}${grouped},${String(rest).padStart(2, '0')}`;
  return options.symbol === false ? text : `${text}${NBSP}₽`;
}

/** Rubles with a dot and two decimals, as the OSMP protocol and registries want: "1234.56". */
export function kopToDecimal(kop: Kop): string {
  assertKop(kop);
  const sign = kop < 0 ? '-' : '';
  const abs = Math.abs(kop);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Rubles with a decimal comma, as Russian registries write them: "1234,56". */
export function kopToDecimalComma(kop: Kop): string {
  return kopToDecimal(kop).replace('.', ',');
}

/**
 * Kopecks to the JSON number in rubles that ATOL and KKMServer expect. Dividing an integer by 100
 * yields the double nearest to the two-decimal value, whose shortest printed form is that value.
 */
export function kopToRubNumber(kop: Kop): number {
  assertKop(kop);
  return kop / 100;
}

/**
 * A rubles number from a register protocol back to kopecks. Goes through the number's shortest
 * decimal form, so 0.29 gives 29 where Math.round(0.29 * 100) would also work but 1.005-style values
 * that are not two-decimal are refused instead of silently rounded.
 */
export function rubNumberToKop(rub: number): Kop {
  if (!Number.isFinite(rub)) throw new RangeError(`not a finite number of rubles: ${rub}`);
  const parsed = parseDecimalToKop(String(rub).includes('e') ? rub.toFixed(2) : String(rub));
  if (!parsed.ok) throw new RangeError(`not a sum in rubles with at most 2 decimals: ${rub}`);
  return parsed.kop;
}

/**
 * A rubles number a register reported, to the nearest kopeck, for devices whose sums are doubles on the
 * way (a drawer counter of 4889.5599999999995) or carry three decimals (a total of 725.745). Rounds half
 * away from zero on the number's shortest decimal form — what the device would print — and says whether
 * that changed anything, so the caller can log it. Unlike rubNumberToKop it never refuses a sum for its
 * decimals; it throws RangeError only for what is no sum at all (NaN, ±Infinity, beyond MAX_KOP).
 */
export function rubNumberToNearestKop(rub: number): { kop: Kop; exact: boolean } {
  if (!Number.isFinite(rub)) throw new RangeError(`not a finite number of rubles: ${rub}`);
  const abs = Math.abs(rub);
  const text = String(abs).includes('e') ? abs.toFixed(20) : String(abs);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match || (match[1] ?? '').length > 13) throw new RangeError(`not a sum in rubles: ${rub}`);
  const whole = match[1] ?? '0';
  const frac = match[2] ?? '';
  let kop = Number(whole) * 100 + Number(frac.slice(0, 2).padEnd(2, '0'));
  if ((frac[2] ?? '0') >= '5') kop += 1;
  if (kop > MAX_KOP) throw new RangeError(`not a sum in rubles: ${rub}`);
  return { kop: rub < 0 && kop !== 0 ? -kop : kop, exact: frac.replace(/0+$/, '').length <= 2 };
}

export type ParseMoneyResult =
  { ok: true; kop: Kop } | { ok: false; code: 'money.invalid' | 'money.too_many_decimals' | 'money.too_large'; message: string };

/**
 * Parses rubles as people and documents write them: "1234", "1 234,56", "1234.5", "1 234,56 ₽",
 * "-10,00". Spaces (including no-break and thin ones) may group thousands.
 */
export function parseRub(text: string): ParseMoneyResult {
  const cleaned = text
    .trim()
    .replace(/\s*(₽|руб\.?|р\.)\s*$/iu, '')
    .replace(/[\s\u00a0\u202f\u2009]/g, '');
  return parseDecimalToKop(cleaned);
}

function parseDecimalToKop(text: string): ParseMoneyResult {
  const match = /^(-)?(\d+)(?:[.,](\d*))?$/.exec(text);
  if (!match) return { ok: false, code: 'money.invalid', message: `«${text}» — не сумма в рублях` };
  const [, minus, whole = '0', frac = ''] = match;
  if (frac.length > 2) return { ok: false, code: 'money.too_many_decimals', message: 'В сумме больше двух знаков после запятой' };
  if (whole.length > 13) return { ok: false, code: 'money.too_large', message: 'Сумма слишком велика' };
  const kop = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (kop > MAX_KOP) return { ok: false, code: 'money.too_large', message: 'Сумма слишком велика' };
  return { ok: true, kop: minus && kop !== 0 ? -kop : kop };
}

/** Sum of kopecks, checked to stay an exact integer. */
export function sumKop(values: readonly Kop[]): Kop {
  let total = 0;
  for (const v of values) total += v;
  return assertKop(total, 'sum');
}

/**
 * amount × numerator / denominator rounded half up, in exact integer arithmetic (BigInt), so
 * percentages of large sums never drift.
 */
export function mulDivRoundHalfUp(amount: Kop, numerator: number, denominator: number): Kop {
  if (denominator <= 0) throw new RangeError('denominator must be positive');
  const n = BigInt(amount) * BigInt(numerator);
  const d = BigInt(denominator);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (abs * 2n + d) / (2n * d);
  return Number(negative ? -q : q);
}
