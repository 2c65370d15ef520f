/**
 * Limits on one payment: the subagent's cap (103-ФЗ; a setting, 15 000 ₽ by default) and the
 * provider's own minimum and maximum.
 */
import { formatRub, type Kop } from './money.ts';
import type { AgentType } from './receipt.ts';

export const DEFAULT_SUBAGENT_CAP_KOP: Kop = 1_500_000;

export type LimitRefusal = 'limit.below_min' | 'limit.above_max' | 'limit.subagent_cap' | 'limit.zero';

export interface LimitInput {
  /** What the payer pays towards the supplier (without an on-top commission). */
  amountKop: Kop;
  agentType: AgentType;
  subagentCapKop?: Kop;
  minKop?: Kop;
  maxKop?: Kop;
}

export function checkLimits(input: LimitInput): { ok: true } | { ok: false; code: LimitRefusal; message: string } {
  if (input.amountKop <= 0) return { ok: false, code: 'limit.zero', message: 'Сумма платежа должна быть больше нуля' };
  if (input.minKop !== undefined && input.amountKop < input.minKop) {
    return { ok: false, code: 'limit.below_min', message: `Минимальная сумма платежа — ${formatRub(input.minKop)}` };
  }
  if (input.maxKop !== undefined && input.amountKop > input.maxKop) {
    return { ok: false, code: 'limit.above_max', message: `Максимальная сумма платежа — ${formatRub(input.maxKop)}` };
  }
  const cap = input.subagentCapKop ?? DEFAULT_SUBAGENT_CAP_KOP;
  if (input.agentType === 'paying_subagent' && input.amountKop > cap) {
    return {
      ok: false,
      code: 'limit.subagent_cap',
      message: `Платёжный субагент не может принять больше ${formatRub(cap)} одним платежом`,
    };
  }
  return { ok: true };
}
