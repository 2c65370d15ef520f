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
import { splitProportionally } from './allocation.ts';
import { assertKop, formatRub, mulDivRoundHalfUp, type Kop } from './money.ts';

export type FeeRule =
  { kind: 'none' } | { kind: 'percent'; rateBp: number; minKop?: Kop; maxKop?: Kop } | { kind: 'fixed'; amountKop: Kop };

export type CommissionRule =
  ({ mode: CommissionMode } & FeeRule) | { kind: 'tiered'; mode: CommissionMode; tiers: { fromKop: Kop; fee: FeeRule }[] };

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
    if (fee.kind === 'fixed' && (!Number.isSafeInteger(fee.amountKop) || fee.amountKop < 0))
      return bad('Фиксированная комиссия должна быть неотрицательной суммой в копейках');
    if (fee.kind === 'percent') {
      if (!Number.isSafeInteger(fee.rateBp) || fee.rateBp < 0 || fee.rateBp > 10_000)
        return bad('Процент комиссии должен быть от 0 до 100 % (в базисных пунктах)');
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

/** One line of a billing payment (a service and period), with the supplier it pays. */
export interface BillingCommissionLine {
  supplier: string;
  /** What the payer gives towards the line's principal (and any advance). */
  amountKop: Kop;
  /** What the payer gives towards the line's penalty. */
  penaltyKop: Kop;
}

/** One supplier's part of a billing payment. */
export interface SupplierCommission {
  supplier: string;
  mode: CommissionMode;
  /** What the payer gives towards this supplier: the sum the rule is applied to, once. */
  baseKop: Kop;
  /** The agent's fee for this supplier. */
  commissionKop: Kop;
  /** What reaches the supplier. */
  principalKop: Kop;
  /** The fee is larger than the supplier's share (a fixed fee or a minimum on a small part): worth telling the payer. */
  feeExceedsBase: boolean;
}

export type BillingCommission =
  | {
      ok: true;
      /** The input lines in order: what goes to the supplier (an included fee taken out, from the principal first) and the line's share of its supplier's fee. */
      lines: { amountKop: Kop; penaltyKop: Kop; commissionKop: Kop }[];
      /** One per supplier, in the order of first appearance. */
      suppliers: SupplierCommission[];
      commissionKop: Kop;
      principalKop: Kop;
      /** What the payer hands over. */
      totalKop: Kop;
    }
  | { ok: false; code: 'commission.exceeds_amount'; supplier: string; baseKop: Kop; commissionKop: Kop; message: string };

/**
 * The commission of a billing payment that pays several suppliers. The rule, stated once (issue 16
 * item 10), as the agent's contracts with the suppliers have it:
 * 1. Each supplier's rule applies **once per payment**, to what the payer gives that supplier in it
 *    (all its lines: services, periods, penalties). A minimum or a fixed fee is charged once per
 *    supplier per payment, never per line; a supplier that gets nothing from the payment is charged
 *    nothing.
 * 2. The fee is spread over that supplier's lines in proportion to them (largest remainder), so the
 *    lines' fees add up to it exactly. On top: the payer pays it in addition. Included: it comes out
 *    of the supplier's lines, from the principal first, then the penalty.
 * 3. An included fee that would take the whole of a supplier's share (a sum below its minimum or
 *    its fixed fee) is refused: the supplier must receive something, never zero or less.
 * So principal + commission = total to the kopeck, and the commission never exceeds one application
 * of each supplier's rule.
 */
export function billingCommission(
  lines: readonly BillingCommissionLine[],
  ruleOf: (supplier: string) => CommissionRule,
): BillingCommission {
  const groups = new Map<string, number[]>();
  lines.forEach((l, i) => {
    assertKop(l.amountKop, 'line amount');
    assertKop(l.penaltyKop, 'line penalty');
    if (l.amountKop < 0 || l.penaltyKop < 0) throw new RangeError('line amounts must not be negative');
    const g = groups.get(l.supplier);
    if (g) g.push(i);
    else groups.set(l.supplier, [i]);
  });
  const out = lines.map((l) => ({ amountKop: l.amountKop, penaltyKop: l.penaltyKop, commissionKop: 0 }));
  const suppliers: SupplierCommission[] = [];
  for (const [supplier, idx] of groups) {
    const rule = ruleOf(supplier);
    const gross = idx.map((i) => (lines[i]?.amountKop ?? 0) + (lines[i]?.penaltyKop ?? 0));
    const base = assertKop(gross.reduce((a, b) => a + b, 0));
    const fee = base === 0 ? 0 : feeOf(pickFee(rule, base), base);
    if (rule.mode === 'included' && base > 0 && fee >= base) {
      return {
        ok: false,
        code: 'commission.exceeds_amount',
        supplier,
        baseKop: base,
        commissionKop: fee,
        message: `Комиссия ${formatRub(fee)} входит в сумму ${formatRub(base)} и не меньше её: поставщику ничего не останется`,
      };
    }
    const shares = base === 0 ? gross.map(() => 0) : splitProportionally(fee, gross);
    idx.forEach((lineIndex, k) => {
      const line = out[lineIndex] as { amountKop: Kop; penaltyKop: Kop; commissionKop: Kop };
      const share = shares[k] ?? 0;
      line.commissionKop = share;
      if (rule.mode === 'included') {
        // A line's share of a fee smaller than the base is smaller than the line itself.
        const fromPrincipal = Math.min(share, line.amountKop);
        line.amountKop -= fromPrincipal;
        line.penaltyKop -= share - fromPrincipal;
      }
    });
    suppliers.push({
      supplier,
      mode: rule.mode,
      baseKop: base,
      commissionKop: fee,
      principalKop: rule.mode === 'included' ? base - fee : base,
      feeExceedsBase: fee > base,
    });
  }
  const commissionKop = suppliers.reduce((s, x) => s + x.commissionKop, 0);
  const principalKop = suppliers.reduce((s, x) => s + x.principalKop, 0);
  return { ok: true, lines: out, suppliers, commissionKop, principalKop, totalKop: assertKop(principalKop + commissionKop) };
}

/** A line as a desk recorded it in a payment: what went to the supplier and, when the desk says so, its share of the fee. */
export interface RecordedBillingLine extends BillingCommissionLine {
  commissionKop?: Kop | undefined;
}

/**
 * What the rule above gives for a payment as a desk recorded it — the server's check of the desk's
 * commission. Each supplier's base is read back from the lines: what went to it, plus (when its fee
 * is included) the fee taken out of it. When the lines carry no fee shares (an older desk), an
 * included supplier's fee is what the payment's commission leaves after the on-top fees (exact when
 * one supplier's fee is included, the usual case).
 */
export function expectedBillingCommission(
  lines: readonly RecordedBillingLine[],
  ruleOf: (supplier: string) => CommissionRule,
  recordedCommissionKop: Kop,
): { commissionKop: Kop; suppliers: { supplier: string; baseKop: Kop; expectedKop: Kop; recordedKop: Kop | null }[] } {
  const shares = lines.some((l) => l.commissionKop !== undefined);
  const groups = new Map<string, { principal: number; recorded: number }>();
  for (const l of lines) {
    const g = groups.get(l.supplier) ?? { principal: 0, recorded: 0 };
    g.principal += l.amountKop + l.penaltyKop;
    g.recorded += l.commissionKop ?? 0;
    groups.set(l.supplier, g);
  }
  const fee = (rule: CommissionRule, base: number): number => (base === 0 ? 0 : feeOf(pickFee(rule, base), base));
  let onTop = 0;
  const included: string[] = [];
  for (const [supplier, g] of groups) {
    const rule = ruleOf(supplier);
    if (rule.mode === 'on_top') onTop += fee(rule, g.principal);
    else included.push(supplier);
  }
  const unattributed = Math.max(recordedCommissionKop - onTop, 0);
  const suppliers = [...groups].map(([supplier, g]) => {
    const rule = ruleOf(supplier);
    const taken = rule.mode === 'on_top' ? 0 : shares ? g.recorded : included.length === 1 ? unattributed : 0;
    const base = g.principal + taken;
    return { supplier, baseKop: base, expectedKop: fee(rule, base), recordedKop: shares ? g.recorded : null };
  });
  return { commissionKop: suppliers.reduce((s, x) => s + x.expectedKop, 0), suppliers };
}
