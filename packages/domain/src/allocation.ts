/**
 * Spreading one sum across an account's lines (service × period). ГИС ЖКХ's rule: a sum that pays a
 * bill without a per-service split goes to the services in proportion to their charges.
 *
 * The rule, stated once:
 * 1. The sum first covers the principal debts, in proportion to each line's debt.
 * 2. What is left after every principal debt is paid covers the penalties (пени), in proportion to them.
 * 3. What is left after that is an advance, spread in proportion to each line's monthly charge
 *    (`chargeKop`); lines without a charge get none; when no line has one, by debt; when no line has
 *    a debt either, all of it goes to the first line.
 * Rounding: each part is floored to a kopeck, and the kopecks left over go one each to the lines with
 * the largest fractional parts (Hamilton's method); ties go to the earlier line. So the parts always
 * add up to the sum exactly, and the same input always gives the same output.
 */
import { assertKop, type Kop } from './money.ts';

export interface AllocationLine {
  /** The caller's key for the line, e.g. "WATER:2026-10". */
  key: string;
  /** Principal debt of the line, ≥ 0. */
  debtKop: Kop;
  /** Penalty owed on the line, ≥ 0. */
  penaltyKop?: Kop;
  /** The line's regular monthly charge, used to spread an advance. */
  chargeKop?: Kop;
}

export interface AllocatedLine {
  key: string;
  /** Towards the principal debt and any advance. */
  amountKop: Kop;
  /** Towards the penalty. */
  penaltyKop: Kop;
}

/** Splits `total` into parts proportional to `weights`, largest remainder, ties to the earlier index. */
export function splitProportionally(total: Kop, weights: readonly number[]): Kop[] {
  assertKop(total, 'total');
  if (total < 0) throw new RangeError('cannot split a negative sum');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new RangeError('weights must be non-negative integers');
  const sumW = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) {
    if (total === 0) return [];
    throw new RangeError('no lines to spread the sum over');
  }
  if (sumW === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const bigTotal = BigInt(total);
  const bigSum = BigInt(sumW);
  const parts: Kop[] = [];
  const remainders: { index: number; rem: bigint }[] = [];
  let given = 0;
  weights.forEach((w, index) => {
    const exact = bigTotal * BigInt(w);
    const floor = exact / bigSum;
    parts.push(Number(floor));
    given += Number(floor);
    remainders.push({ index, rem: exact % bigSum });
  });
  remainders.sort((a, b) => (a.rem === b.rem ? a.index - b.index : a.rem > b.rem ? -1 : 1));
  for (let k = 0; k < total - given; k++) {
    const r = remainders[k] as { index: number };
    parts[r.index] = (parts[r.index] as number) + 1;
  }
  return parts;
}

/** Spreads `totalKop` across the lines by the rule above. */
export function allocateTotal(totalKop: Kop, lines: readonly AllocationLine[]): AllocatedLine[] {
  assertKop(totalKop, 'total');
  if (totalKop < 0) throw new RangeError('cannot allocate a negative sum');
  if (lines.length === 0) throw new RangeError('no lines to allocate to');
  for (const l of lines) {
    if (l.debtKop < 0 || (l.penaltyKop ?? 0) < 0 || (l.chargeKop ?? 0) < 0) {
      throw new RangeError(`line ${l.key}: debt, penalty and charge must be non-negative`);
    }
  }
  const debts = lines.map((l) => l.debtKop);
  const penalties = lines.map((l) => l.penaltyKop ?? 0);
  const totalDebt = debts.reduce((a, b) => a + b, 0);
  const totalPenalty = penalties.reduce((a, b) => a + b, 0);

  const toDebt = Math.min(totalKop, totalDebt);
  const principal = totalDebt === 0 ? lines.map(() => 0) : splitProportionally(toDebt, debts);
  let rest = totalKop - toDebt;

  const toPenalty = Math.min(rest, totalPenalty);
  const penaltyParts = totalPenalty === 0 ? lines.map(() => 0) : splitProportionally(toPenalty, penalties);
  rest -= toPenalty;

  let advance = lines.map(() => 0);
  if (rest > 0) {
    const charges = lines.map((l) => l.chargeKop ?? 0);
    const weights = charges.some((c) => c > 0) ? charges : debts;
    advance = splitProportionally(rest, weights);
  }
  return lines.map((l, i) => ({
    key: l.key,
    amountKop: (principal[i] ?? 0) + (advance[i] ?? 0),
    penaltyKop: penaltyParts[i] ?? 0,
  }));
}

export interface ExplicitLine {
  key: string;
  amountKop: Kop;
}

export type ExplicitCheck =
  | { ok: true; totalKop: Kop }
  | {
      ok: false;
      code: 'allocation.negative' | 'allocation.empty' | 'allocation.duplicate_line' | 'allocation.unknown_line';
      message: string;
      key?: string;
    };

/** Checks amounts the cashier set per line: known lines, each once, none negative, not all zero. */
export function checkExplicitLines(lines: readonly ExplicitLine[], knownKeys?: ReadonlySet<string>): ExplicitCheck {
  const seen = new Set<string>();
  let total = 0;
  for (const l of lines) {
    if (!Number.isSafeInteger(l.amountKop) || l.amountKop < 0) {
      return { ok: false, code: 'allocation.negative', message: 'Сумма по услуге не может быть отрицательной', key: l.key };
    }
    if (seen.has(l.key)) return { ok: false, code: 'allocation.duplicate_line', message: 'Услуга указана дважды', key: l.key };
    if (knownKeys && !knownKeys.has(l.key)) {
      return { ok: false, code: 'allocation.unknown_line', message: 'Такой услуги нет на этом лицевом счёте', key: l.key };
    }
    seen.add(l.key);
    total += l.amountKop;
  }
  if (total <= 0) return { ok: false, code: 'allocation.empty', message: 'Сумма платежа равна нулю' };
  return { ok: true, totalKop: assertKop(total) };
}
