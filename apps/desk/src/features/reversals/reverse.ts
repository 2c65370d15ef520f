/**
 * Reversal (сторно): a return receipt that mirrors the original, under the reversal policy. When the
 * cashier's role does not allow it, a senior cashier approves on the same desk with their password.
 *
 * A payment has at most one reversal. Everything about one payment's reversal — is it already
 * reversed, is a reversal of it unfinished, may this person do it — is decided and fiscalised under one
 * lock per original payment, so two tabs or two cashiers cannot both pass the check. A reversal asked
 * for while an earlier one of the same payment is unfinished (its answer was lost, the cashier reopened
 * the dialog under a new op id) settles that one with the register and answers it; it never prints a
 * second return. The journal's trigger refuses a second live reversal whatever the path.
 */
import { v7 as uuidv7 } from 'uuid';
import { composeReturnReceipt, decideReversal, type Receipt } from '@paydesk/domain';
import { printSlip } from '../card/recovery.ts';
import { AppError, type PaymentView } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import type { OperationRow } from '../fiscal/fiscal-runner.ts';
import { FiscalState } from '../journal/lifecycle.ts';
import { paymentView } from '../payments/accept.ts';
import type { Cashier } from '../payments/prepare.ts';
import { checkCredentials } from '../session/session.ts';

export interface ReversalInput {
  opId?: string | undefined;
  paymentId: string;
  reason: string;
  approval?: { login: string; password: string } | undefined;
}

export interface ReversalAnswer {
  reversalId: string;
  number: string;
  state: string;
  amountKop: number;
  fiscal: PaymentView['fiscal'];
  approvedBy: string | null;
}

function answer(deps: DeskDeps, row: OperationRow): ReversalAnswer {
  const view = paymentView(deps, {
    ...row,
    request: JSON.stringify({ totalKop: row.total_kop ?? 0, commissionKop: 0, changeKop: 0, method: row.method ?? 'cash' }),
  });
  const approved = (JSON.parse(row.request) as { approvedBy?: string }).approvedBy ?? null;
  return {
    reversalId: row.op_id,
    number: row.number ?? '',
    state: row.state,
    amountKop: row.total_kop ?? 0,
    fiscal: view.fiscal,
    approvedBy: approved,
  };
}

/** The payment's reversal that is done or may be done (pending), other than `except`. */
function liveReversalOf(deps: DeskDeps, originalOpId: string, except: string): OperationRow | null {
  return (
    (deps.db
      .prepare(
        `SELECT * FROM operations WHERE kind = 'reversal' AND original_op_id = ? AND state != '${FiscalState.failed}' AND op_id != ? ORDER BY created_at LIMIT 1`,
      )
      .get(originalOpId, except) as OperationRow | undefined) ?? null
  );
}

function alreadyReversed(row: OperationRow): AppError {
  return new AppError(
    'reversal.refused',
    `Этот платёж уже сторнирован: возврат ${row.number ?? ''} от ${new Date(row.created_at).toLocaleString('ru-RU')}`,
    { reason: 'reversal.already_reversed', needsApproval: false, reversalId: row.op_id, reversalNumber: row.number },
  );
}

async function finishReversal(deps: DeskDeps, opId: string): Promise<ReversalAnswer> {
  const row = deps.runner.get(opId) as OperationRow;
  const done = await deps.runner.run({
    opId,
    kind: 'reversal',
    numbered: true,
    request: JSON.parse(row.request) as object,
    cashier: { id: row.cashier_id, name: row.cashier_name, inn: row.cashier_inn },
  });
  await printSlip(deps, opId);
  return answer(deps, done);
}

export async function reversePayment(deps: DeskDeps, cashier: Cashier, input: ReversalInput): Promise<ReversalAnswer> {
  const opId = input.opId ?? uuidv7();
  const original = deps.runner.get(input.paymentId);
  if (!original || !['billing', 'thirdparty', 'service'].includes(original.kind))
    throw new AppError('not_found', 'Платёж не найден в журнале этой кассы');
  return deps.runner.exclusive(`reversal:${original.op_id}`, async () => {
    const seen = deps.runner.recall(opId, (row) => row.kind === 'reversal' && row.original_op_id === original.op_id);
    if (seen?.replay === 'answer') return answer(deps, seen.row);
    // The money already went back to the card under an earlier attempt whose return receipt did not
    // follow (the dialog reopened, a crash): that reversal is finished, never a second refund.
    const refunded = deps.cards.refundedWithoutReceipt(original.op_id);
    if (refunded && refunded !== opId) return finishReversal(deps, refunded);
    const existing = seen?.row ?? null;

    const other = liveReversalOf(deps, original.op_id, opId);
    if (other?.state === FiscalState.done) throw alreadyReversed(other);
    if (other?.state === FiscalState.pending) {
      // The cashier's earlier attempt, whose answer was lost: find out what the register did with it.
      const settled = await deps.runner.settleOne(other.op_id);
      if (settled?.state === FiscalState.done) return answer(deps, settled);
      if (settled?.state === FiscalState.pending) {
        throw new AppError(
          'fiscal.outcome_unknown',
          `Предыдущее сторно этого платежа (${other.number ?? ''}) ещё не сверено с ККТ: ${settled.unknown_reason ?? 'ККТ не отвечает'}. Не выдавайте деньги: сначала сверьте его.`,
          { opId: other.op_id },
        );
      }
    }

    const fresh = deps.runner.get(original.op_id) as OperationRow;
    const status = deps.registerStatus.get() ?? (await deps.registerStatus.refresh());
    const forwarding = deps.db.prepare('SELECT state FROM forwarding WHERE op_id = ?').get(fresh.op_id) as
      { state: 'queued' | 'sent' | 'confirmed' | 'failed' } | undefined;
    const provider = fresh.provider_code
      ? (deps.db.prepare('SELECT data FROM providers WHERE code = ?').get(fresh.provider_code) as { data: string } | undefined)
      : undefined;
    const subject = {
      kind: fresh.kind as 'billing' | 'thirdparty' | 'service',
      state: fresh.state,
      reversed: fresh.reversed_by !== null && fresh.reversed_by !== opId,
      cashierId: fresh.cashier_id,
      shiftNumber: fresh.shift_number ?? 0,
      acceptedAt: fresh.created_at,
      ...(forwarding ? { forwarding: forwarding.state } : {}),
      ...(provider ? { providerCanCancel: (JSON.parse(provider.data) as { canCancel: boolean }).canCancel } : {}),
    };
    const shift = { open: status?.shift.state === 'open', number: status?.shift.number ?? null };
    const settings = { windowDays: deps.settings.get('reversalWindowDays') };
    let approvedBy: Cashier | null = null;
    let decision = decideReversal({ userId: cashier.id, role: cashier.role }, subject, deps.clock(), shift, settings);
    if (!decision.allowed && decision.seniorMayApprove) {
      if (!input.approval) throw new AppError('reversal.refused', decision.message, { reason: decision.code, needsApproval: true });
      approvedBy = await checkCredentials(deps.db, input.approval.login, input.approval.password, deps.clock(), (l, p) =>
        deps.client.checkAdmin(l, p),
      );
      if (approvedBy.role === 'cashier')
        throw new AppError('reversal.refused', 'Подтвердить сторно может только старший кассир или администратор', {
          reason: 'reversal.needs_senior',
          needsApproval: true,
        });
      decision = decideReversal({ userId: approvedBy.id, role: approvedBy.role }, subject, deps.clock(), shift, settings);
    }
    if (!decision.allowed) throw new AppError('reversal.refused', decision.message, { reason: decision.code, needsApproval: false });

    const originalReceipt = JSON.parse(fresh.receipt ?? 'null') as Receipt;
    const fiscal = JSON.parse(fresh.result ?? 'null') as { documentNumber: number; fiscalSign: string };
    const receipt = composeReturnReceipt(
      originalReceipt,
      fiscal,
      opId,
      cashier.inn ? { name: cashier.name, inn: cashier.inn } : { name: cashier.name },
    );
    delete receipt.cashTenderedKop;
    const request = existing
      ? (JSON.parse(existing.request) as object)
      : { originalOpId: fresh.op_id, reason: input.reason, ...(approvedBy ? { approvedBy: approvedBy.id } : {}) };
    try {
      await deps.runner.run({
        opId,
        kind: 'reversal',
        numbered: true,
        request,
        ...(existing ? {} : { receipt }),
        cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn },
        shiftNumber: shift.number,
        totalKop: fresh.total_kop ?? receipt.totalKop,
        method: fresh.method ?? 'cash',
        originalOpId: fresh.op_id,
      });
    } catch (e) {
      // The journal's own guard: another live reversal got in by a path this lock does not cover.
      if (e instanceof Error && e.message.includes('reversal_exists')) {
        const live = liveReversalOf(deps, fresh.op_id, opId);
        if (live) throw alreadyReversed(live);
      }
      throw e;
    }
    if (fresh.method === 'card') await printSlip(deps, opId);
    const row = deps.runner.get(opId);
    if (!row) throw new AppError('internal');
    return answer(deps, row);
  });
}
