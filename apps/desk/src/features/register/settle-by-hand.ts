/**
 * The way out of an operation whose outcome the register cannot tell (it forgot the id, its counters
 * moved by more than one, it does not report the drawer): a senior cashier looks at the device — its
 * last document, its X report, the drawer — and settles the operation as done, with the document
 * number read from the device, or as not done. The desk asks the device once more first; the decision
 * is journaled with who made it, written to the desk's audit trail, and reaches the server's review
 * queue with the operation.
 */
import { AppError } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import type { Cashier } from '../payments/prepare.ts';
import { checkCredentials } from '../session/session.ts';

export interface SettleInput {
  opId: string;
  outcome: 'done' | 'not_done';
  documentNumber?: number | undefined;
  comment: string;
  approval?: { login: string; password: string } | undefined;
}

export async function settleByHand(
  deps: DeskDeps,
  cashier: Cashier,
  input: SettleInput,
): Promise<{ opId: string; state: string; settledBy: string | null }> {
  const senior =
    cashier.role === 'cashier'
      ? input.approval
        ? await checkCredentials(deps.db, input.approval.login, input.approval.password, deps.clock(), (l, p) =>
            deps.client.checkAdmin(l, p),
          )
        : null
      : cashier;
  if (!senior)
    throw new AppError('auth.forbidden', 'Сверить операцию вручную может старший кассир или администратор: нужен его пароль', {
      needsApproval: true,
    });
  if (senior.role === 'cashier')
    throw new AppError('auth.forbidden', 'Сверить операцию вручную может только старший кассир или администратор', { needsApproval: true });
  if (input.outcome === 'done' && !input.documentNumber)
    throw new AppError('validation.failed', 'Укажите номер документа (ФД), который ККТ показывает для этой операции');
  const row = await deps.runner.settleByHand(
    input.opId,
    input.outcome === 'done' ? { done: true, documentNumber: input.documentNumber as number } : { done: false },
    senior.id,
  );
  deps.db.prepare('INSERT INTO audit (at, actor_id, action, op_id, details) VALUES (?, ?, ?, ?, ?)').run(
    deps.clock().toISOString(),
    senior.id,
    'operation.settled_by_hand',
    input.opId,
    JSON.stringify({
      outcome: input.outcome,
      documentNumber: input.documentNumber ?? null,
      comment: input.comment,
      askedBy: cashier.id,
      resultingState: row.state,
    }),
  );
  deps.log.warn({ opId: input.opId, outcome: input.outcome, by: senior.id, state: row.state }, 'operation settled by hand');
  deps.registerStatus.invalidate();
  return { opId: row.op_id, state: row.state, settledBy: row.settled_by };
}
