/**
 * What a payment would come to before any money is taken: the lines, each supplier's commission, the
 * change, and what to tell the payer. The receipt is composed and checked as it would be printed, so
 * a payment the register would refuse is refused here first; it is composed under the request's own
 * op id when the UI has minted one, else under a fresh one, and then thrown away.
 */
import { v7 as uuidv7 } from 'uuid';
import type { PaymentQuoteView, PaymentRequest } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { prepareBilling, prepareService, prepareThirdParty, type Cashier } from './prepare.ts';

export function quotePayment(deps: DeskDeps, cashier: Cashier, body: PaymentRequest): PaymentQuoteView {
  const ctx = { db: deps.db, settings: deps.settings, accounts: deps.accounts, cashier };
  const id = body.opId ?? uuidv7();
  if (body.kind === 'billing') {
    const { prepared, commission } = prepareBilling(ctx, id, body);
    return {
      overpayment: overpaymentOf(deps, body.accountNumber, commission.amountKop),
      totalKop: prepared.totalKop,
      commissionKop: prepared.commissionKop,
      changeKop: prepared.changeKop,
      amountKop: commission.amountKop,
      lines: prepared.lines ?? null,
      items: null,
      suppliers: commission.suppliers,
      warnings: commission.warnings,
    };
  }
  const { prepared } = body.kind === 'thirdparty' ? prepareThirdParty(ctx, id, body, {}) : prepareService(ctx, id, body);
  const amountKop = body.kind === 'thirdparty' ? body.amountKop : prepared.totalKop;
  return {
    totalKop: prepared.totalKop,
    commissionKop: prepared.commissionKop,
    changeKop: prepared.changeKop,
    amountKop,
    lines: null,
    items: prepared.items ?? null,
    suppliers: [],
    warnings: prepared.warnings,
    overpayment: null,
  };
}

/** What the payer gives above the account's whole debt, when it is more than the margin allows. */
function overpaymentOf(deps: DeskDeps, accountNumber: string, amountKop: number): PaymentQuoteView['overpayment'] {
  const account = deps.accounts.details(accountNumber);
  if (!account) return null;
  const debtKop = account.debts.reduce((s, d) => s + d.debtKop + d.penaltyDebtKop, 0);
  const margin = Math.floor((debtKop * deps.settings.get('overpaymentMarginPercent')) / 100);
  return amountKop > debtKop + margin ? { debtKop, advanceKop: amountKop - debtKop } : null;
}
