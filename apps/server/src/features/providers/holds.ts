/**
 * Taking a third-party payment out of forwarding so the desk may refund it in cash (issue 16 item 2).
 * A refund is safe only when no request for the payment has left for the provider, or the provider
 * refused it. The hold and the worker's claim both run under the stamping lock and lock the row, so
 * exactly one wins: a held payment is never claimed, a claimed (sent) one cannot be held. The desk's
 * reversal then either goes through — its op, pushed, turns the hold into `cancelled` — or fails at
 * the register, and the desk releases the hold so forwarding goes on.
 */
import { AppError } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { lockStamping, nextVersion } from '../../db/versioning.ts';

export interface HoldAnswer {
  /** held: taken out of forwarding for this reversal; failed: the provider refused it; none: it is not forwarded online. */
  state: 'held' | 'failed' | 'none';
}

export async function holdForRefund(db: Database, deskId: string, opId: string, reversalOpId: string): Promise<HoldAnswer> {
  return db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    const f = await trx.selectFrom('forwardings').select(['state', 'desk_id', 'held_for']).where('op_id', '=', opId).forUpdate().executeTakeFirst();
    if (!f) {
      const p = await trx.selectFrom('payments').select(['desk_id', 'kind', 'state']).where('op_id', '=', opId).executeTakeFirst();
      if (!p) throw new AppError('conflict', 'Платёж ещё не дошёл до сервера: вернуть деньги можно, когда касса его отправит', { reason: 'not_on_server' });
      if (p.desk_id !== deskId) throw new AppError('auth.forbidden', 'Платёж принят другой кассой');
      return { state: 'none' };
    }
    if (f.desk_id !== deskId) throw new AppError('auth.forbidden', 'Платёж принят другой кассой');
    switch (f.state) {
      case 'queued':
      case 'held':
        await trx.updateTable('forwardings').set({ state: 'held', held_for: reversalOpId, held_at: new Date(), updated_at: new Date(), version: nextVersion() }).where('op_id', '=', opId).execute();
        return { state: 'held' };
      case 'failed':
        return { state: 'failed' };
      case 'cancelled':
        throw new AppError('forwarding.not_cancellable', 'Платёж уже сторнирован', { state: f.state });
      default:
        throw new AppError('forwarding.not_cancellable', f.state === 'confirmed' ? 'Поставщик уже зачислил платёж: вернуть деньги наличными нельзя' : 'Платёж уже передан поставщику: пока он не ответит, вернуть деньги наличными нельзя', { state: f.state });
    }
  });
}

/** The reversal failed at the register: the payment goes back to forwarding. */
export async function releaseHold(db: Database, deskId: string, opId: string, reversalOpId: string): Promise<{ state: string }> {
  return db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    const f = await trx.selectFrom('forwardings').select(['state', 'desk_id', 'held_for']).where('op_id', '=', opId).forUpdate().executeTakeFirst();
    if (!f) return { state: 'none' };
    if (f.desk_id !== deskId) throw new AppError('auth.forbidden', 'Платёж принят другой кассой');
    if (f.state !== 'held' || f.held_for !== reversalOpId) return { state: f.state };
    await trx.updateTable('forwardings').set({ state: 'queued', held_for: null, held_at: null, next_attempt_at: new Date(), updated_at: new Date(), version: nextVersion() }).where('op_id', '=', opId).execute();
    return { state: 'queued' };
  });
}
