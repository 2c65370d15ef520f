/**
 * Before a desk prints a return receipt it asks here (issue 16 item 2 and its review):
 *
 * - Is the payment already reversed on the server? A desk whose journal was put back from an older
 *   copy does not know of a reversal made since; it must not refund twice.
 * - For a third-party payment: take it out of forwarding, so the desk may refund it in cash. A refund is
 *   safe only when no request has left for the provider, or the provider refused it. The hold and the
 *   worker's claim both run under the stamping lock and lock the row, so exactly one wins: a held
 *   payment is never claimed, a claimed (sent) one cannot be held.
 *
 * A hold carries the id of the desk's attempt; a release names it and releases only that hold, so a
 * late release cannot drop a retry's hold. The desk's reversal, pushed, turns a hold into `cancelled`
 * whatever its id; a reversal that failed at the register is released so forwarding goes on.
 */
import { AppError } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { lockStamping, nextVersion } from '../../db/versioning.ts';

export interface HoldAnswer {
  /** held: taken out of forwarding for this attempt; failed: the provider refused it; none: not forwarded online. */
  state: 'held' | 'failed' | 'none';
}

export async function holdForRefund(db: Database, deskId: string, opId: string, holdId: string): Promise<HoldAnswer> {
  return db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    const p = await trx
      .selectFrom('payments')
      .select(['desk_id', 'kind', 'state'])
      .where('op_id', '=', opId)
      .forUpdate()
      .executeTakeFirst();
    if (!p)
      throw new AppError('conflict', 'Платёж ещё не дошёл до сервера: вернуть деньги можно, когда касса его отправит', {
        reason: 'not_on_server',
      });
    if (p.desk_id !== deskId) throw new AppError('auth.forbidden', 'Платёж принят другой кассой');
    const earlier = await trx
      .selectFrom('reversals')
      .select(['op_id', 'reversed_at'])
      .where('original_op_id', '=', opId)
      .executeTakeFirst();
    if (p.state === 'reversed' || earlier) {
      throw new AppError(
        'conflict',
        `Платёж уже сторнирован${earlier ? ` (${earlier.reversed_at.toISOString().slice(0, 16).replace('T', ' ')})` : ''}: деньги по нему уже возвращены`,
        { reason: 'already_reversed', reversalOpId: earlier?.op_id ?? null },
      );
    }
    const f = await trx.selectFrom('forwardings').select(['state', 'held_for']).where('op_id', '=', opId).forUpdate().executeTakeFirst();
    if (!f) return { state: 'none' };
    switch (f.state) {
      case 'queued':
      case 'held':
        await trx
          .updateTable('forwardings')
          .set({ state: 'held', held_for: holdId, held_at: new Date(), updated_at: new Date(), version: nextVersion() })
          .where('op_id', '=', opId)
          .execute();
        return { state: 'held' };
      case 'failed':
        return { state: 'failed' };
      case 'cancelled':
        throw new AppError('conflict', 'Платёж уже сторнирован: деньги по нему уже возвращены', { reason: 'already_reversed' });
      default:
        throw new AppError(
          'forwarding.not_cancellable',
          f.state === 'confirmed'
            ? 'Поставщик уже зачислил платёж: вернуть деньги наличными нельзя'
            : 'Платёж уже передан поставщику: пока он не ответит, вернуть деньги наличными нельзя',
          { state: f.state },
        );
    }
  });
}

/** The attempt failed at the register: the payment goes back to forwarding — if this attempt still holds it. */
export async function releaseHold(db: Database, deskId: string, opId: string, holdId: string): Promise<{ state: string }> {
  return db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    const f = await trx
      .selectFrom('forwardings')
      .select(['state', 'desk_id', 'held_for'])
      .where('op_id', '=', opId)
      .forUpdate()
      .executeTakeFirst();
    if (!f) return { state: 'none' };
    if (f.desk_id !== deskId) throw new AppError('auth.forbidden', 'Платёж принят другой кассой');
    if (f.state !== 'held' || f.held_for !== holdId) return { state: f.state };
    await trx
      .updateTable('forwardings')
      .set({ state: 'queued', held_for: null, held_at: null, next_attempt_at: new Date(), updated_at: new Date(), version: nextVersion() })
      .where('op_id', '=', opId)
      .execute();
    return { state: 'queued' };
  });
}
