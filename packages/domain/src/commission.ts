/**
 * The agent's commission (вознаграждение), a rule per supplier or provider. No cap in law; 0–2 % is
 * usual; zero is a rule too.
 *
 * A rule yields a fee from the amount it is applied to:
 * - `on_top`: the payer pays amount + fee; the supplier gets the amount.
 * - `included`: the payer pays the amount; the fee is taken out of it and the supplier gets the rest.
 * Percentages are in basis points (150 = 1,5 %) and rounded half up to a kopeck; the minimum and the
 * maximum apply after rounding. Tiers pick the rule of the highest tier whose `fromKop` ≤ amount.
 */
import { assertKop, mulDivRoundHalfUp, type Kop } from './money.ts';

export type FeeRule =
  | { kind: 'none' }
  | { kind: 'percent'; rateBp: number; minKop?: Kop; maxKop?: Kop }
  | { kind: 'fixed'; amountKop: Kop };

export type CommissionRule =
  | ({ mode: CommissionMode } & FeeRule)
  | { kind: 'tiered'; mode: CommissionMode; tiers: { fromKop: Kop; fee: FeeRule }[] };

export type CommissionMode = 'on_top' | 'included';

export const NO_COMMISSION: CommissionRule = { kind: 'none', mode: 'on_top' };

export interface CommissionResult {
  /** The agent's fee, an АГЕНТСКОЕ ВОЗНАГРАЖДЕНИЕ item on the receipt when > 0. */
  commissionKop: Kop;
  /** What reaches the supplier or provider: a ПЛАТЁЖ item. */
  principalKop: Kop;
  /** What the payer hands over. */
  totalKop: Kop;
}

function feeOf(rule: FeeRule, amount: Kop): Kop {
  switch (rule.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return rule.amountKop;
    case 'percent': {
      let fee = mulDivRoundHalfUp(amount, rule.rateBp, 10_000);
      if (rule.minKop !== undefined && fee < rule.minKop) fee = rule.minKop;
      if (rule.maxKop !== undefined && fee > rule.maxKop) fee = rule.maxKop;
      return fee;
    }
  }
}

function pickFee(rule: CommissionRule, amount: Kop): FeeRule {
  if (rule.kind !== 'tiered') return rule;
  let chosen: FeeRule = { kind: 'none' };
  let best = -1;
  for (const tier of rule.tiers) {
    if (tier.fromKop <= amount && tier.fromKop > best) {
      best = tier.fromKop;
      chosen = tier.fee;
    }
  }
  return chosen;
}

/** Applies a rule to the amount the cashier entered. */
export function computeCommission(rule: CommissionRule, amountKop: Kop): CommissionResult {
  assertKop(amountKop);
  if (amountKop < 0) throw new RangeError('amount must not be negative');
  const fee = feeOf(pickFee(rule, amountKop), amountKop);
  if (rule.mode === 'on_top') {
    return { commissionKop: fee, principalKop: amountKop, totalKop: assertKop(amountKop + fee) };
  }
  // A fee larger than the amount itself would leave the supplier a negative sum: the whole amount is the fee.
  const capped = Math.min(fee, amountKop);
  return { commissionKop: capped, principalKop: amountKop - capped, totalKop: amountKop };
}

export type RuleProblem = { code: 'commission.invalid_rule'; message: string };

/** Checks a rule an administrator typed before it is stored. */
export function validateCommissionRule(rule: CommissionRule): RuleProblem | null {
  const bad = (message: string): RuleProblem => ({ code: 'commission.invalid_rule', message });
  const checkFee = (fee: FeeRule): RuleProblem | null => {
    if (fee.kind === 'fixed' && (!Number.isSafeInteger(fee.amountKop) || fee.amountKop < 0)) return bad('Фиксированная комиссия должна быть неотрицательной суммой в копейках');
    if (fee.kind === 'percent') {
      if (!Number.isSafeInteger(fee.rateBp) || fee.rateBp < 0 || fee.rateBp > 10_000) return bad('Процент комиссии должен быть от 0 до 100 % (в базисных пунктах)');
      if (fee.minKop !== undefined && fee.maxKop !== undefined && fee.minKop > fee.maxKop) return bad('Минимум комиссии больше максимума');
      if ((fee.minKop ?? 0) < 0 || (fee.maxKop ?? 0) < 0) return bad('Минимум и максимум комиссии не могут быть отрицательными');
    }
    return null;
  };
  if (rule.kind === 'tiered') {
    if (rule.tiers.length === 0) return bad('В ступенчатой комиссии нет ни одной ступени');
    const froms = new Set<number>();
    for (const tier of rule.tiers) {
      if (!Number.isSafeInteger(tier.fromKop) || tier.fromKop < 0) return bad('Граница ступени должна быть неотрицательной суммой');
      if (froms.has(tier.fromKop)) return bad('Две ступени начинаются с одной суммы');
      froms.add(tier.fromKop);
      const p = checkFee(tier.fee);
      if (p) return p;
    }
    return null;
  }
  return checkFee(rule);
}

/** A short Russian description for screens: "1,5 % (мин. 10,00 ₽), сверх суммы". */
export function describeCommission(rule: CommissionRule, format: (kop: Kop) => string): string {
  const mode = rule.mode === 'on_top' ? 'сверх суммы' : 'включена в сумму';
  const fee = (f: FeeRule): string => {
    switch (f.kind) {
      case 'none':
        return 'без комиссии';
      case 'fixed':
        return format(f.amountKop);
      case 'percent': {
        const pct = `${(f.rateBp / 100).toLocaleString('ru-RU', { maximumFractionDigits: 2 })} %`;
        const limits = [f.minKop !== undefined ? `мин. ${format(f.minKop)}` : '', f.maxKop !== undefined ? `макс. ${format(f.maxKop)}` : '']
          .filter(Boolean)
          .join(', ');
        return limits ? `${pct} (${limits})` : pct;
      }
    }
  };
  if (rule.kind === 'none') return 'без комиссии';
  if (rule.kind === 'tiered') {
    const tiers = [...rule.tiers].sort((a, b) => a.fromKop - b.fromKop).map((t) => `от ${format(t.fromKop)}: ${fee(t.fee)}`);
    return `${tiers.join('; ')}, ${mode}`;
  }
  return `${fee(rule)}, ${mode}`;
}
