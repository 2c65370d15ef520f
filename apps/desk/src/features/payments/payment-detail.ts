/** One payment as the journal's detail shows it: its state, the receipt's tape, the request, the reversal. */
import { AppError } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { FiscalState } from '../journal/lifecycle.ts';
import { paymentView } from './accept.ts';
import { providerOf } from '../providers/provider-store.ts';

/** Receipts the journal's detail opens: payments, and correction receipts (their tape and a copy). */
const PAYMENT_KINDS = new Set(['billing', 'thirdparty', 'service', 'correction', 'correction_return']);

export function paymentDetail(deps: DeskDeps, opId: string) {
  const row = deps.runner.get(opId);
  if (!row || !PAYMENT_KINDS.has(row.kind)) throw new AppError('not_found', 'Платёж не найден');
  const tape = deps.register.virtual?.documentFor(row.op_id)?.tape ?? null;
  const reversal = row.reversed_by ? deps.runner.get(row.reversed_by) : null;
  return {
    ...paymentView(deps, row),
    createdAt: row.created_at,
    cashierName: row.cashier_name,
    accountNumber: row.account_number,
    providerCode: row.provider_code,
    providerName: row.provider_code ? (providerOf(deps.db, row.provider_code)?.name ?? null) : null,
    providerAccount: row.provider_account,
    request: JSON.parse(row.request) as unknown,
    tape,
    reversal: reversal
      ? { reversalId: reversal.op_id, number: reversal.number, state: reversal.state, createdAt: reversal.created_at }
      : null,
  };
}

/**
 * A copy of a payment's receipt, printed again from the fiscal drive by its document number (ФД):
 * the same fiscal document, not a new one, so nothing is fiscalised or counted twice.
 */
export async function printReceiptCopy(deps: DeskDeps, opId: string): Promise<{ documentNumber: number }> {
  const row = deps.runner.get(opId);
  if (!row || !PAYMENT_KINDS.has(row.kind)) throw new AppError('not_found', 'Платёж не найден');
  const documentNumber = (JSON.parse(row.result ?? '{}') as { documentNumber?: number }).documentNumber ?? 0;
  if (row.state !== FiscalState.done || documentNumber <= 0)
    throw new AppError('conflict', 'У этого платежа нет пробитого чека: печатать копию нечего');
  await deps.runner.direct((r) => r.reprintDocument(documentNumber));
  return { documentNumber };
}
