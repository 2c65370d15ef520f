/**
 * May this person reverse (сторно) this payment now? A cashier may reverse their own payment in the
 * shift that is still open; a senior cashier or an administrator any payment within the window set
 * for the point; nobody a third-party payment that has been sent to its provider (it may be credited).
 */
export type Role = 'cashier' | 'senior_cashier' | 'admin';

export const ROLES: readonly Role[] = ['cashier', 'senior_cashier', 'admin'];

export type ReversalRefusal =
  | 'reversal.already_reversed'
  | 'reversal.not_fiscalized'
  | 'reversal.provider_confirmed'
  | 'reversal.needs_senior'
  | 'reversal.too_old'
  | 'reversal.shift_closed';

export interface ReversalSubject {
  kind: 'billing' | 'thirdparty' | 'service';
  state: 'fiscal_pending' | 'done' | 'failed';
  reversed: boolean;
  cashierId: string;
  /** The register shift the payment was taken in. */
  shiftNumber: number;
  acceptedAt: string;
  forwarding?: 'queued' | 'held' | 'sent' | 'confirmed' | 'failed' | 'cancelled';
  providerCanCancel?: boolean;
}

export interface ReversalActor {
  userId: string;
  role: Role;
}

export interface ReversalSettings {
  /** A senior cashier may reverse payments at most this many days old. */
  windowDays: number;
}

export type ReversalDecision =
  | { allowed: true }
  | {
      allowed: false;
      code: ReversalRefusal;
      message: string;
      /** A senior cashier's approval would allow it. */ seniorMayApprove: boolean;
    };

const DAY_MS = 86_400_000;

export function decideReversal(
  actor: ReversalActor,
  payment: ReversalSubject,
  now: Date,
  currentShift: { open: boolean; number: number | null },
  settings: ReversalSettings,
): ReversalDecision {
  const refuse = (code: ReversalRefusal, message: string, seniorMayApprove = false): ReversalDecision => ({
    allowed: false,
    code,
    message,
    seniorMayApprove,
  });
  if (payment.reversed) return refuse('reversal.already_reversed', 'Этот платёж уже сторнирован');
  if (payment.state !== 'done') return refuse('reversal.not_fiscalized', 'Платёж не завершён: чек не пробит, сторнировать нечего');
  // Cash goes back only for a payment no request has left for (the server holds it before the refund
  // prints) or one the provider refused: anything sent may be credited whatever happens here.
  if (payment.kind === 'thirdparty' && (payment.forwarding === 'confirmed' || payment.forwarding === 'sent')) {
    return refuse(
      'reversal.provider_confirmed',
      payment.forwarding === 'confirmed'
        ? 'Поставщик уже зачислил платёж — вернуть деньги наличными нельзя'
        : 'Платёж уже передан поставщику — пока он не ответит, вернуть деньги наличными нельзя',
    );
  }
  if (payment.kind === 'thirdparty' && payment.forwarding === 'cancelled')
    return refuse('reversal.already_reversed', 'Платёж уже сторнирован');
  if (!currentShift.open) return refuse('reversal.shift_closed', 'Смена закрыта: откройте смену, чтобы пробить чек возврата');
  const ageDays = (now.getTime() - new Date(payment.acceptedAt).getTime()) / DAY_MS;
  if (actor.role === 'cashier') {
    const sameShift = currentShift.number === payment.shiftNumber;
    if (payment.cashierId !== actor.userId || !sameShift) {
      return refuse(
        'reversal.needs_senior',
        'Кассир может сторнировать только свои платежи текущей смены — нужно подтверждение старшего кассира',
        ageDays <= settings.windowDays,
      );
    }
    return { allowed: true };
  }
  if (ageDays > settings.windowDays)
    return refuse('reversal.too_old', `Платёж старше ${settings.windowDays} дн. — сторно только через бэк-офис`);
  return { allowed: true };
}
