/**
 * Before a return receipt prints, the server is asked (issue 16 item 2 and its review):
 *
 * - A third-party payment is refunded in cash only when the server has taken it out of forwarding
 *   before any request left for the provider, or the provider refused it. The desk cannot know that
 *   from its own copy of the forwarding state, seconds behind the server: it asks, online, right
 *   before the register is called — on every attempt, under the runner's lock, so a retry never prints
 *   on a hold released meanwhile. Offline it refuses.
 * - Any payment: the server says whether it is already reversed there (a journal restored from an
 *   older copy does not know of a reversal made since). Offline a billing or service reversal goes on
 *   on the desk's own journal.
 *
 * Each attempt holds under an id of its own; a release names it. A release that arrives late, after a
 * retry took a new hold, releases nothing. The hold is kept in the journal until the reversal has an
 * outcome: done, the pushed reversal cancels the forwarding on the server; failed at the register, the
 * hold is released (now, or by the sync worker once the server answers).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import type { OperationRow } from '../fiscal/fiscal-runner.ts';
import { FiscalState, HOLD, HoldState } from '../journal/lifecycle.ts';
import { LinkError, ServerAnswer } from '../sync/server-client.ts';

const OFFLINE =
  'Нет связи с сервером: вернуть деньги за платёж третьим лицам можно только онлайн — касса не знает, не передан ли он уже поставщику';

/** Right before a reversal's register call. Throws a refusal (nothing is printed) when the server says no. */
export async function beforeRefund(deps: DeskDeps, reversal: OperationRow): Promise<void> {
  const original = reversal.original_op_id ? deps.runner.get(reversal.original_op_id) : null;
  if (!original) return;
  const thirdParty = original.kind === 'thirdparty';
  if (!deps.sync.state.online) {
    if (thirdParty) throw new AppError('reversal.refused', OFFLINE, { reason: 'reversal.offline', needsApproval: false });
    return;
  }
  // The payment must be on the server before the server can hold it or say it is reversed.
  await deps.sync.push();
  const holdId = randomUUID();
  try {
    await deps.client.holdForwarding(original.op_id, holdId);
  } catch (e) {
    if (e instanceof LinkError) {
      if (thirdParty)
        throw new AppError('reversal.refused', `${OFFLINE} (${e.message})`, { reason: 'reversal.offline', needsApproval: false });
      return;
    }
    if (e instanceof ServerAnswer) {
      const detail = typeof e.body['detail'] === 'string' ? e.body['detail'] : 'сервер не разрешил возврат';
      const reason =
        e.body['reason'] === 'already_reversed'
          ? 'reversal.already_reversed'
          : e.code === 'forwarding.not_cancellable'
            ? 'reversal.provider_confirmed'
            : 'reversal.not_held';
      // A payment not yet on the server (it could not be sent) cannot be checked: billing goes on offline-style.
      if (!thirdParty && e.body['reason'] === 'not_on_server') return;
      throw new AppError('reversal.refused', detail, { reason, needsApproval: false, forwarding: e.body['state'] ?? null });
    }
    throw e;
  }
  if (thirdParty) {
    deps.db.transaction(() => {
      // A retry of a failed reversal holds again, under the new id.
      const before = deps.db.prepare('SELECT state FROM forwarding_holds WHERE reversal_op_id = ?').get(reversal.op_id) as
        { state: HoldState } | undefined;
      const held = HOLD.check(before?.state ?? null, HoldState.held);
      deps.db
        .prepare(
          `INSERT INTO forwarding_holds (op_id, reversal_op_id, hold_id, state, updated_at) VALUES (?, ?, ?, '${held}', ?) ON CONFLICT (reversal_op_id) DO UPDATE SET hold_id = excluded.hold_id, state = '${held}', updated_at = excluded.updated_at`,
        )
        .run(original.op_id, reversal.op_id, holdId, deps.clock().toISOString());
    })();
  }
}

/** The reversal's outcome is known: a done one keeps the hold (the server cancels), a failed one releases it. */
export function reversalSettled(deps: Pick<DeskDeps, 'db' | 'clock'>, reversalOpId: string, state: FiscalState): void {
  if (state === FiscalState.pending) return;
  const { from, to } = HOLD.move(HoldState.held, state === FiscalState.done ? HoldState.used : HoldState.releasePending);
  deps.db
    .prepare(`UPDATE forwarding_holds SET state = ?, updated_at = ? WHERE reversal_op_id = ? AND state = '${from}'`)
    .run(to, deps.clock().toISOString(), reversalOpId);
}

/** Releases holds whose reversal failed; called after each push. Best effort: what fails goes again. */
export async function releasePending(deps: Pick<DeskDeps, 'db' | 'client' | 'clock' | 'log'>): Promise<number> {
  const { from, to } = HOLD.move(HoldState.releasePending, HoldState.released);
  const rows = deps.db.prepare(`SELECT op_id, reversal_op_id, hold_id FROM forwarding_holds WHERE state = '${from}'`).all() as {
    op_id: string;
    reversal_op_id: string;
    hold_id: string;
  }[];
  let released = 0;
  for (const r of rows) {
    try {
      await deps.client.releaseForwarding(r.op_id, r.hold_id);
      // Only this hold: a retry that took a new one meanwhile keeps it.
      deps.db
        .prepare(
          `UPDATE forwarding_holds SET state = '${to}', updated_at = ? WHERE reversal_op_id = ? AND hold_id = ? AND state = '${from}'`,
        )
        .run(deps.clock().toISOString(), r.reversal_op_id, r.hold_id);
      released++;
    } catch (e) {
      deps.log.warn({ err: e, opId: r.op_id }, 'releasing a forwarding hold failed; will retry');
    }
  }
  return released;
}
