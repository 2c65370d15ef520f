/** A billing period (month) as "YYYY-MM". */
export type Period = string;

export function isPeriod(text: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return false;
  const month = Number(m[2]);
  const year = Number(m[1]);
  return month >= 1 && month <= 12 && year >= 2000 && year <= 2099;
}

export function makePeriod(year: number, month: number): Period {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function periodOfDate(isoDate: string): Period {
  return isoDate.slice(0, 7);
}

export function addMonths(period: Period, months: number): Period {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months;
  return makePeriod(Math.floor(index / 12), (index % 12) + 1);
}

export function comparePeriods(a: Period, b: Period): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "05.2025", as periods are written on receipts and bills. */
export function formatPeriod(period: Period): string {
  const [y, m] = period.split('-');
  return `${m}.${y}`;
}

const monthNames: [RegExp, number][] = [
  [/^янв/u, 1],
  [/^фев/u, 2],
  [/^мар/u, 3],
  [/^апр/u, 4],
  [/^ма[йя]/u, 5],
  [/^июн/u, 6],
  [/^июл/u, 7],
  [/^авг/u, 8],
  [/^сен/u, 9],
  [/^окт/u, 10],
  [/^ноя/u, 11],
  [/^дек/u, 12],
];

function validMonth(m: number): boolean {
  return m >= 1 && m <= 12;
}

function validYear(y: number): boolean {
  return y >= 2000 && y <= 2099;
}

/**
 * Reads the free-form PaymPeriod of real bills: "0521" (MMYY), "042026" (MMYYYY), "202604" (YYYYMM),
 * "07.2023", "7.2023", "07/23", "62015" (M + YYYY), "2023-07", "май 2024". Returns null when the text
 * admits no reading or more than one.
 */
export function normalizePaymPeriod(raw: string): Period | null {
  const text = raw.trim().toLowerCase();
  let m = /^(\d{1,2})[./\-\s](\d{4})$/.exec(text);
  if (m) return checked(Number(m[2]), Number(m[1]));
  m = /^(\d{4})[./-](\d{1,2})$/.exec(text);
  if (m) return checked(Number(m[1]), Number(m[2]));
  m = /^(\d{1,2})[./\-\s](\d{2})$/.exec(text);
  if (m) return checked(2000 + Number(m[2]), Number(m[1]));
  if (/^\d{4}$/.test(text)) return checked(2000 + Number(text.slice(2)), Number(text.slice(0, 2)));
  if (/^\d{5}$/.test(text)) return checked(Number(text.slice(1)), Number(text.slice(0, 1)));
  if (/^\d{6}$/.test(text)) {
    const asMmYyyy = checked(Number(text.slice(2)), Number(text.slice(0, 2)));
    const asYyyyMm = checked(Number(text.slice(0, 4)), Number(text.slice(4)));
    if (asMmYyyy && asYyyyMm && asMmYyyy !== asYyyyMm) return null;
    return asMmYyyy ?? asYyyyMm;
  }
  m = /^([а-яё]+)\.?\s*(\d{4})(?:\s*г\.?)?$/u.exec(text);
  if (m) {
    const name = m[1] ?? '';
    const found = monthNames.find(([re]) => re.test(name));
    if (found) return checked(Number(m[2]), found[1]);
  }
  return null;
}

function checked(year: number, month: number): Period | null {
  return validYear(year) && validMonth(month) ? makePeriod(year, month) : null;
}
