/**
 * Accepting a payment: prepare (validate, allocate, compute commission, compose the receipt), then
 * run it through the fiscal runner. The operation id is the idempotency key: the same id with the
 * same request is answered as before (one payment, one receipt); with another request it is refused.
 */
import { v7 as uuidv7 } from 'uuid';
import { AppError, canonicalJson, type PaymentRequest, type PaymentView } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import type { OperationRow } from '../fiscal/fiscal-runner.ts';
import { printSlip } from '../card/recovery.ts';
import type { SyncState } from '../journal/lifecycle.ts';
import { LinkError, ServerAnswer } from '../sync/server-client.ts';
import {
  prepareBilling,
  prepareService,
  prepareThirdParty,
  quoteThirdParty,
  type Cashier,
  type PreparedPayment,
  type ProviderCheck,
} from './prepare.ts';

/** OSMP result codes that mean "try later" rather than "no". */
const TEMPORARY = new Set([1, 90]);

export interface AcceptedPayment extends PaymentView {
  warnings: string[];
}

function rawKey(req: PaymentRequest): string {
  const { opId: _opId, ...rest } = req;
  return canonicalJson(rest);
}

export function paymentView(deps: DeskDeps, row: OperationRow): AcceptedPayment {
  const p = JSON.parse(row.request) as PreparedPayment & { raw?: string };
  const result = row.result
    ? (JSON.parse(row.result) as {
        documentNumber: number;
        fiscalSign: string;
        shiftNumber: number;
        receiptNumber: number;
        at: string;
        qr?: string;
        printed?: boolean;
      } | null)
    : null;
  const op =
    row.seq !== null
      ? (deps.db.prepare('SELECT sync_state, sync_code, sync_message FROM ops WHERE seq = ?').get(row.seq) as
          { sync_state: SyncState; sync_code: string | null; sync_message: string | null } | undefined)
      : undefined;
  const fwd =
    row.kind === 'thirdparty'
      ? (deps.db.prepare('SELECT state, prv_txn, code, comment FROM forwarding WHERE op_id = ?').get(row.op_id) as
          | { state: 'queued' | 'sent' | 'confirmed' | 'failed'; prv_txn: string | null; code: number | null; comment: string | null }
          | undefined)
      : undefined;
  return {
    paymentId: row.op_id,
    number: row.number ?? '',
    kind: row.kind as 'billing' | 'thirdparty' | 'service',
    state: row.state,
    totalKop: p.totalKop,
    commissionKop: p.commissionKop,
    changeKop: p.changeKop,
    method: p.method,
    fiscal: result
      ? {
          documentNumber: result.documentNumber,
          fiscalSign: result.fiscalSign,
          shiftNumber: result.shiftNumber,
          receiptNumber: result.receiptNumber,
          at: result.at,
          ...(result.qr ? { qr: result.qr } : {}),
          ...(row.printed !== null ? { printed: row.printed === 1 } : result.printed !== undefined ? { printed: result.printed } : {}),
        }
      : null,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    sync: op ? { state: op.sync_state, code: op.sync_code, message: op.sync_message } : null,
    forwarding:
      row.kind === 'thirdparty'
        ? fwd
          ? { state: fwd.state, prvTxn: fwd.prv_txn, code: fwd.code, comment: fwd.comment }
          : { state: 'queued' }
        : null,
    card: cardView(deps, row),
    warnings: p.warnings ?? [],
  };
}

function cardView(deps: DeskDeps, row: OperationRow): PaymentView['card'] {
  if (row.method !== 'card') return null;
  const a = deps.cards.approved(row.op_id);
  if (!a) return null;
  const slipDue = !a.approval.printedOnTerminal && a.approval.slip.length > 0;
  return {
    rrn: a.approval.rrn,
    authCode: a.approval.authCode,
    maskedPan: a.approval.maskedPan,
    cardType: a.approval.cardType,
    source: a.row.terminal === 'standalone' ? 'slip' : 'terminal',
    slipPrinted: slipDue ? a.row.slip_printed === 1 : null,
  };
}

/** A typed approval belongs to a card payment on a terminal not connected to the desk only. */
function cardApprovalOf(deps: DeskDeps, req: PaymentRequest): PreparedPayment['cardApproval'] {
  if (!req.cardApproval) return undefined;
  if (req.method !== 'card')
    throw new AppError('validation.failed', 'Код авторизации со слипа указывают только при оплате картой', { field: 'cardApproval' });
  if (!deps.cards.standalone)
    throw new AppError('validation.failed', 'Терминал подключён к кассе: сумма уйдёт на него сама, код авторизации вводить не нужно', {
      field: 'cardApproval',
    });
  return { code: req.cardApproval.code, ...(req.cardApproval.rrn ? { rrn: req.cardApproval.rrn } : {}) };
}

/** After the receipt: the bank's slip, once; the view says whether it printed. */
async function withSlip(deps: DeskDeps, row: OperationRow): Promise<AcceptedPayment> {
  if (row.state === 'done' && row.method === 'card') await printSlip(deps, row.op_id);
  return paymentView(deps, deps.runner.get(row.op_id) ?? row);
}

async function providerCheck(
  deps: DeskDeps,
  req: Extract<PaymentRequest, { kind: 'thirdparty' }>,
): Promise<{ check?: ProviderCheck; skippedOffline?: boolean }> {
  const q = quoteThirdParty(deps, req);
  if (!q.provider.checkRequired) return {};
  if (deps.sync.state.online) {
    try {
      const r = await deps.client.providerCheck(q.provider.code, q.account, q.principalKop);
      // The provider's texts go into the payment's op: kept within what the op's schema allows.
      if (r.result === 0) {
        return {
          check: {
            result: r.result,
            ...(r.comment ? { comment: r.comment.slice(0, 500) } : {}),
            ...(r.subscriberName ? { subscriberName: r.subscriberName.slice(0, 200) } : {}),
            ...(r.balanceKop !== undefined ? { balanceKop: r.balanceKop } : {}),
          },
        };
      }
      if (!TEMPORARY.has(r.result)) {
        throw new AppError(
          'payment.provider_check_failed',
          `${q.provider.name}: ${r.comment ?? `код ${r.result}`}. Проверьте ${q.provider.accountLabel.toLowerCase()}.`,
          { providerResult: r.result },
        );
      }
    } catch (e) {
      if (!(e instanceof LinkError) && !(e instanceof ServerAnswer)) throw e;
    }
  }
  if (!q.provider.offlineAllowed) {
    throw new AppError(
      'payment.provider_offline_refused',
      `${q.provider.name} принимает платежи только после проверки номера на сервере, а связи сейчас нет. Предложите оплатить позже.`,
    );
  }
  return { skippedOffline: true };
}

export async function acceptPayment(deps: DeskDeps, cashier: Cashier, req: PaymentRequest): Promise<AcceptedPayment> {
  const opId = req.opId ?? uuidv7();
  const raw = rawKey(req);
  const seen = deps.runner.recall(
    opId,
    (row) => (JSON.parse(row.request) as { raw?: string }).raw === raw,
    'Этот номер операции уже использован для другого платежа',
  );
  if (seen?.replay === 'answer') return paymentView(deps, seen.row);
  if (seen) {
    const existing = seen.row;
    const row = await deps.runner.run({
      opId,
      kind: existing.kind,
      numbered: true,
      request: JSON.parse(existing.request) as object,
      cashier: { id: existing.cashier_id, name: existing.cashier_name },
    });
    return withSlip(deps, row);
  }
  let status = deps.registerStatus.get();
  // A cached "closed" may be a moment old: ask the register before turning the payer away.
  if (status?.connected && status.shift.state === 'closed') status = await deps.registerStatus.refresh();
  if (status?.connected && status.shift.state === 'closed')
    throw new AppError('shift.closed', 'Смена закрыта: откройте смену в меню «ККМ» (F9), затем примите платёж.');
  const ctx = { db: deps.db, settings: deps.settings, accounts: deps.accounts, cashier };
  const { prepared, receipt } =
    req.kind === 'billing'
      ? prepareBilling(ctx, opId, req)
      : req.kind === 'thirdparty'
        ? prepareThirdParty(ctx, opId, req, await providerCheck(deps, req))
        : prepareService(ctx, opId, req);
  if (req.paperless) {
    if (!deps.settings.get('paperlessReceipts'))
      throw new AppError('validation.failed', 'В этом пункте бумажный чек обязателен: печать нельзя отменить', { field: 'paperless' });
    if (!receipt.customerContact)
      throw new AppError('validation.failed', 'Чек без печати: укажите телефон или e-mail покупателя, куда ОФД его пришлёт', {
        field: 'customerContact',
      });
    receipt.electronicOnly = true;
    prepared.paperless = true;
  }
  const cardApproval = cardApprovalOf(deps, req);
  if (req.method === 'card' && deps.cards.standalone && !cardApproval)
    throw new AppError(
      'card.approval_needed',
      'Терминал не подключён к кассе: проведите карту на терминале и введите код авторизации со слипа.',
    );
  const request = { ...prepared, ...(cardApproval ? { cardApproval } : {}), raw };
  const row = await deps.runner.run({
    opId,
    kind: req.kind,
    numbered: true,
    request,
    receipt,
    cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn },
    shiftNumber: status?.shift.number ?? null,
    totalKop: prepared.totalKop,
    commissionKop: prepared.commissionKop,
    method: prepared.method,
    tenderedKop: prepared.tenderedKop,
    accountNumber: prepared.accountNumber ?? null,
    providerCode: prepared.providerCode ?? null,
    providerAccount: prepared.account ?? null,
  });
  return withSlip(deps, row);
}
