/**
 * Reversal (сторно): a return receipt that mirrors the original, under the reversal policy. When the
 * cashier's role does not allow it, a senior cashier approves on the same desk with their password.
 */
import { v7 as uuidv7 } from 'uuid';
import { composeReturnReceipt, decideReversal, type Receipt } from '@paydesk/domain';
import { AppError, type PaymentView } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { paymentView } from '../payments/accept.ts';
import type { Cashier } from '../payments/prepare.ts';
import { checkCredentials } from '../session/session.ts';

export interface ReversalInput {
  opId?: string | undefined;
  paymentId: string;
  reason: string;
  approval?: { login: string; password: string } | undefined;
}

export async function reversePayment(deps: DeskDeps, cashier: Cashier, input: ReversalInput): Promise<{ reversalId: string; number: string; state: string; amountKop: number; fiscal: PaymentView['fiscal']; approvedBy: string | null }> {
  const opId = input.opId ?? uuidv7();
  const existing = deps.runner.get(opId);
  if (existing && existing.kind !== 'reversal') throw new AppError('op.id_reused');
  const original = deps.runner.get(input.paymentId);
  if (!original || !['billing', 'thirdparty', 'service'].includes(original.kind)) throw new AppError('not_found', 'Платёж не найден в журнале этой кассы');
  if (!existing || existing.state !== 'done') {
    const status = deps.registerStatus.get() ?? (await deps.registerStatus.refresh());
    const forwarding = deps.db.prepare('SELECT state FROM forwarding WHERE op_id = ?').get(original.op_id) as { state: 'queued' | 'sent' | 'confirmed' | 'failed' } | undefined;
    const provider = original.provider_code ? (deps.db.prepare('SELECT data FROM providers WHERE code = ?').get(original.provider_code) as { data: string } | undefined) : undefined;
    const subject = {
      kind: original.kind as 'billing' | 'thirdparty' | 'service',
      state: original.state,
      reversed: original.reversed_by !== null && original.reversed_by !== opId,
      cashierId: original.cashier_id,
      shiftNumber: original.shift_number ?? 0,
      acceptedAt: original.created_at,
      ...(forwarding ? { forwarding: forwarding.state } : {}),
      ...(provider ? { providerCanCancel: (JSON.parse(provider.data) as { canCancel: boolean }).canCancel } : {}),
    };
    const shift = { open: status?.shift.state === 'open', number: status?.shift.number ?? null };
    const settings = { windowDays: deps.settings.get('reversalWindowDays') ?? 3 };
    let approvedBy: Cashier | null = null;
    let decision = decideReversal({ userId: cashier.id, role: cashier.role }, subject, deps.clock(), shift, settings);
    if (!decision.allowed && decision.seniorMayApprove) {
      if (!input.approval) {
        throw new AppError('reversal.refused', decision.message, { reason: decision.code, needsApproval: true });
      }
      approvedBy = await checkCredentials(deps.db, input.approval.login, input.approval.password);
      if (approvedBy.role === 'cashier') throw new AppError('reversal.refused', 'Подтвердить сторно может только старший кассир или администратор', { reason: 'reversal.needs_senior', needsApproval: true });
      decision = decideReversal({ userId: approvedBy.id, role: approvedBy.role }, subject, deps.clock(), shift, settings);
    }
    if (!decision.allowed) throw new AppError('reversal.refused', decision.message, { reason: decision.code, needsApproval: false });
    const originalReceipt = JSON.parse(original.receipt ?? 'null') as Receipt;
    const fiscal = JSON.parse(original.result ?? 'null') as { documentNumber: number; fiscalSign: string };
    const receipt = composeReturnReceipt(originalReceipt, fiscal, opId, cashier.inn ? { name: cashier.name, inn: cashier.inn } : { name: cashier.name });
    delete receipt.cashTenderedKop;
    const request = { originalOpId: original.op_id, reason: input.reason, ...(approvedBy ? { approvedBy: approvedBy.id } : {}) };
    if (existing) {
      const stored = JSON.parse(existing.request) as { originalOpId: string };
      if (stored.originalOpId !== original.op_id) throw new AppError('op.id_reused');
    }
    await deps.runner.run({
      opId, kind: 'reversal', numbered: true, request: existing ? (JSON.parse(existing.request) as object) : request, ...(existing ? {} : { receipt }),
      cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn }, shiftNumber: shift.number, totalKop: original.total_kop ?? receipt.totalKop, method: original.method ?? 'cash', originalOpId: original.op_id,
    });
  }
  const row = deps.runner.get(opId);
  if (!row) throw new AppError('internal');
  const view = paymentView(deps, { ...row, request: JSON.stringify({ totalKop: row.total_kop ?? 0, commissionKop: 0, changeKop: 0, method: row.method ?? 'cash' }) });
  const approved = (JSON.parse(row.request) as { approvedBy?: string }).approvedBy ?? null;
  return { reversalId: row.op_id, number: row.number ?? '', state: row.state, amountKop: row.total_kop ?? 0, fiscal: view.fiscal, approvedBy: approved };
}
