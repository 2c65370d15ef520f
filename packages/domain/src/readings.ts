/**
 * Meter reading checks, as real billing systems apply them. Each finding has a severity:
 * `error` blocks the reading, `confirm` needs the cashier's explicit confirmation (its code is sent
 * back in `confirmed`), `warning` only informs. A value below the previous one is to confirm: it is a
 * typo or a meter that went past its last digit, and only the cashier can say which. Values are
 * decimal strings on the wire and integer thousandths of a unit here, so no reading ever passes
 * through a float.
 */
import { addMonths, comparePeriods, formatPeriod, makePeriod, type Period } from './period.ts';

export type Severity = 'error' | 'confirm' | 'warning';

export type ReadingFindingCode =
  | 'reading.invalid_value'
  | 'reading.too_many_decimals'
  | 'reading.exceeds_capacity'
  | 'reading.invalid_date'
  | 'reading.future_date'
  | 'reading.date_not_after_previous'
  | 'reading.closed_period'
  | 'reading.rollover'
  | 'reading.jump'
  | 'reading.verification_expired'
  | 'reading.after_cutoff';

export interface ReadingFinding {
  code: ReadingFindingCode;
  severity: Severity;
  message: string;
}

export interface MeterSpec {
  serial: string;
  /** Digits before the decimal point: a 5-digit meter shows at most 99999.999. */
  digits: number;
  /** Digits after the decimal point the meter shows (0–3). */
  fractionDigits?: number;
  /** Date of the next verification (поверка), YYYY-MM-DD. */
  verificationDue?: string;
  /** Consumption per reading above which the cashier must confirm, in units. Default 500. */
  jumpThreshold?: number;
  last?: { valueMilli: number; date: string };
}

export interface ReadingContext {
  /** Today, YYYY-MM-DD, in the point's time zone. */
  today: string;
  /** Readings taken after this day of the month count for the next month. Default 25. */
  cutoffDay?: number;
  /** The last period the billing has closed; no reading may fall into it or before it. */
  closedThrough?: Period;
}

export interface ReadingCheck {
  valueMilli: number | null;
  /** The period the reading counts for. */
  period: Period | null;
  /** Consumption since the previous reading, with a digit rollover taken into account. */
  consumptionMilli: number | null;
  findings: ReadingFinding[];
  /** Codes of `confirm` findings not yet confirmed. */
  unconfirmed: ReadingFindingCode[];
  /** True when nothing blocks the reading: no error and every confirmation given. */
  acceptable: boolean;
}

const DEFAULT_JUMP = 500;
const DEFAULT_CUTOFF = 25;

/** "12345,678" or "12345.678" → 12345678 thousandths; null when it is not a non-negative decimal. */
export function parseMeterValue(text: string): { milli: number; decimals: number } | null {
  const m = /^(\d{1,12})(?:[.,](\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const frac = m[2] ?? '';
  return { milli: Number(m[1]) * 1000 + Number(frac.padEnd(3, '0')), decimals: frac.length };
}

export function formatMeterValue(milli: number, fractionDigits = 3): string {
  const whole = Math.floor(milli / 1000);
  if (fractionDigits === 0) return String(whole);
  const frac = String(milli % 1000)
    .padStart(3, '0')
    .slice(0, fractionDigits);
  return `${whole},${frac}`;
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** A meter whose verification (поверка) was due before `date`, YYYY-MM-DD: flagged wherever the meter is shown. */
export function verificationExpired(verificationDue: string | null | undefined, date: string): boolean {
  return Boolean(verificationDue) && (verificationDue as string) < date;
}

/** The period a reading taken on `date` counts for, given the cut-off day. */
export function readingPeriod(date: string, cutoffDay = DEFAULT_CUTOFF): Period {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const period = makePeriod(y, m);
  return d > cutoffDay ? addMonths(period, 1) : period;
}

export function checkReading(
  meter: MeterSpec,
  input: { value: string; date: string },
  ctx: ReadingContext,
  confirmed: readonly string[] = [],
): ReadingCheck {
  const findings: ReadingFinding[] = [];
  const add = (code: ReadingFindingCode, severity: Severity, message: string): void => {
    findings.push({ code, severity, message });
  };
  const parsed = parseMeterValue(input.value);
  const fractionDigits = meter.fractionDigits ?? 3;
  let valueMilli: number | null = null;
  if (!parsed) add('reading.invalid_value', 'error', 'Показание должно быть неотрицательным числом, например 1234,5');
  else if (parsed.decimals > fractionDigits) {
    add('reading.too_many_decimals', 'error', `Счётчик показывает ${fractionDigits} знак(а) после запятой`);
  } else {
    valueMilli = parsed.milli;
    const capacityMilli = 10 ** meter.digits * 1000;
    if (valueMilli >= capacityMilli) {
      add('reading.exceeds_capacity', 'error', `Счётчик ${meter.serial} показывает не больше ${meter.digits} цифр до запятой`);
      valueMilli = null;
    }
  }

  let period: Period | null = null;
  if (!isIsoDate(input.date)) add('reading.invalid_date', 'error', 'Дата показания указана неверно');
  else {
    if (input.date > ctx.today) add('reading.future_date', 'error', 'Дата показания ещё не наступила');
    if (meter.last && input.date <= meter.last.date) {
      add(
        'reading.date_not_after_previous',
        'error',
        `Дата должна быть позже предыдущего показания (${meter.last.date.split('-').reverse().join('.')})`,
      );
    }
    period = readingPeriod(input.date, ctx.cutoffDay ?? DEFAULT_CUTOFF);
    if (ctx.closedThrough && comparePeriods(period, ctx.closedThrough) <= 0) {
      add('reading.closed_period', 'error', `Период ${formatPeriod(period)} уже закрыт в биллинге`);
    } else if (period > input.date.slice(0, 7)) {
      add(
        'reading.after_cutoff',
        'warning',
        `Показание после ${ctx.cutoffDay ?? DEFAULT_CUTOFF}-го числа учтётся в периоде ${formatPeriod(period)}`,
      );
    }
    if (meter.verificationDue && verificationExpired(meter.verificationDue, input.date)) {
      add(
        'reading.verification_expired',
        'warning',
        `Срок поверки счётчика ${meter.serial} истёк ${meter.verificationDue.split('-').reverse().join('.')}`,
      );
    }
  }

  let consumptionMilli: number | null = null;
  if (valueMilli !== null && meter.last) {
    const capacityMilli = 10 ** meter.digits * 1000;
    if (valueMilli < meter.last.valueMilli) {
      consumptionMilli = capacityMilli - meter.last.valueMilli + valueMilli;
      // Far more often a slip of the finger than a wrapped meter: only the cashier, asking the payer, can tell.
      add(
        'reading.rollover',
        'confirm',
        `Показание меньше предыдущего (${formatMeterValue(meter.last.valueMilli, fractionDigits)}): это ошибка ввода или счётчик перешёл через ноль? Если перешёл, расход — ${formatMeterValue(consumptionMilli, fractionDigits)}`,
      );
    } else {
      consumptionMilli = valueMilli - meter.last.valueMilli;
    }
    const threshold = (meter.jumpThreshold ?? DEFAULT_JUMP) * 1000;
    if (consumptionMilli > threshold) {
      add(
        'reading.jump',
        'confirm',
        `Расход ${formatMeterValue(consumptionMilli, fractionDigits)} больше обычного (${meter.jumpThreshold ?? DEFAULT_JUMP}) — проверьте показание`,
      );
    }
  }

  const unconfirmed = findings.filter((f) => f.severity === 'confirm' && !confirmed.includes(f.code)).map((f) => f.code);
  const acceptable = !findings.some((f) => f.severity === 'error') && unconfirmed.length === 0;
  return { valueMilli, period, consumptionMilli, findings, unconfirmed, acceptable };
}
