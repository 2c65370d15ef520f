/**
 * A third-party payment is refunded in cash only when the server has taken it out of forwarding
 * before any request left for the provider, or the provider refused it (issue 16 item 2). The desk
 * cannot know that from its own copy of the forwarding state, seconds behind the server: it asks,
 * online, right before the return receipt. Offline it refuses. The hold is kept in the journal until
 * the reversal has an outcome: done, the pushed reversal cancels the forwarding on the server; failed
 * at the register, the hold is released (now, or by the sync worker once the server answers).
 */
import { AppError } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { LinkError, ServerAnswer } from '../sync/server-client.ts';

export async function holdForRefund(deps: DeskDeps, paymentId: string, reversalOpId: string): Promise<void> {
  if (!deps.sync.state.online) {
    throw new AppError('reversal.refused', 'Нет связи с сервером: вернуть деньги за платёж третьим лицам можно только онлайн — касса не знает, не передан ли он уже поставщику', { reason: 'reversal.offline', needsApproval: false });
  }
  // The payment must be on the server before the server can hold it.
  await deps.sync.push();
  try {
    await deps.client.holdForwarding(paymentId, reversalOpId);
  } catch (e) {
    if (e instanceof LinkError) throw new AppError('reversal.refused', `Нет связи с сервером: вернуть деньги за платёж третьим лицам можно только онлайн (${e.message})`, { reason: 'reversal.offline', needsApproval: false });
    if (e instanceof ServerAnswer) {
      const detail = typeof e.body['detail'] === 'string' ? e.body['detail'] : 'сервер не снял платёж с передачи поставщику';
      throw new AppError('reversal.refused', detail, { reason: e.code === 'forwarding.not_cancellable' ? 'reversal.provider_confirmed' : 'reversal.not_held', needsApproval: false, forwarding: e.body['state'] ?? null });
    }
    throw e;
  }
  deps.db.prepare("INSERT INTO forwarding_holds (op_id, reversal_op_id, state, updated_at) VALUES (?, ?, 'held', ?) ON CONFLICT (reversal_op_id) DO UPDATE SET state = 'held', updated_at = excluded.updated_at").run(paymentId, reversalOpId, deps.clock().toISOString());
}

/** The reversal's outcome is known: a done one keeps the hold (the server cancels), a failed one releases it. */
export function reversalSettled(deps: DeskDeps, reversalOpId: string, state: 'done' | 'failed' | 'fiscal_pending'): void {
  if (state === 'fiscal_pending') return;
  deps.db
    .prepare("UPDATE forwarding_holds SET state = ?, updated_at = ? WHERE reversal_op_id = ? AND state = 'held'")
    .run(state === 'done' ? 'used' : 'release_pending', deps.clock().toISOString(), reversalOpId);
}

/** Releases holds whose reversal failed; called after each push. Best effort: what fails goes again. */
export async function releasePending(deps: Pick<DeskDeps, 'db' | 'client' | 'clock' | 'log'>): Promise<number> {
  const rows = deps.db.prepare("SELECT op_id, reversal_op_id FROM forwarding_holds WHERE state = 'release_pending'").all() as { op_id: string; reversal_op_id: string }[];
  let released = 0;
  for (const r of rows) {
    try {
      await deps.client.releaseForwarding(r.op_id, r.reversal_op_id);
      deps.db.prepare("UPDATE forwarding_holds SET state = 'released', updated_at = ? WHERE reversal_op_id = ?").run(deps.clock().toISOString(), r.reversal_op_id);
      released++;
    } catch (e) {
      deps.log.warn({ err: e, opId: r.op_id }, 'releasing a forwarding hold failed; will retry');
    }
  }
  return released;
}
