/**
 * The domain's receipt and register operations as ATOL Driver v10 JSON tasks, and ATOL's answers and
 * error codes back in the port's terms (shared/specs/fiscal-registers.md, section 1).
 */
import { kopToRubNumber, rubNumberToKop, type AgentType, type Receipt, type ReceiptItem, type TaxSystem, type VatRate } from '@paydesk/domain';
import { FiscalError, type Cashier, type FiscalErrorCode, type FiscalResult, type RegisterShiftTotals } from '../port.ts';

export type AtolTask = Record<string, unknown> & { type: string };

export const ATOL_TAXATION: Record<TaxSystem, string> = {
  osn: 'osn',
  usn_income: 'usnIncome',
  usn_income_outcome: 'usnIncomeOutcome',
  esn: 'esn',
  patent: 'patent',
};

export const ATOL_VAT: Record<VatRate, string> = {
  none: 'none', vat0: 'vat0', vat5: 'vat5', vat7: 'vat7', vat10: 'vat10', vat20: 'vat20', vat22: 'vat22',
};

export const ATOL_PAYMENT_OBJECT: Record<ReceiptItem['paymentObject'], string> = {
  payment: 'payment',
  agent_commission: 'agentCommission',
  service: 'service',
  commodity: 'commodity',
};

export const ATOL_AGENT: Record<AgentType, string> = { paying_agent: 'payingAgent', paying_subagent: 'payingSubagent' };

export function operatorOf(cashier: Cashier): Record<string, string> {
  return cashier.inn ? { name: cashier.name, vatin: cashier.inn } : { name: cashier.name };
}

function positionOf(item: ReceiptItem): Record<string, unknown> {
  const position: Record<string, unknown> = {
    type: 'position',
    name: item.name,
    price: kopToRubNumber(item.priceKop),
    quantity: item.quantity,
    amount: kopToRubNumber(item.amountKop),
    measurementUnit: 'piece',
    paymentMethod: 'fullPayment',
    paymentObject: ATOL_PAYMENT_OBJECT[item.paymentObject],
    tax: { type: ATOL_VAT[item.vat] },
  };
  if (item.agent) {
    const agent = ATOL_AGENT[item.agent.type];
    position['agentInfo'] = {
      agents: [agent],
      payingAgent: { operation: item.agent.operation, phones: [item.agent.agentPhone] },
      receivePaymentsOperator: { phones: [item.agent.operatorPhone] },
    };
  }
  if (item.supplier) {
    const supplier: Record<string, unknown> = { name: item.supplier.name, vatin: item.supplier.inn };
    if (item.supplier.phone) supplier['phones'] = [item.supplier.phone];
    position['supplierInfo'] = supplier;
  }
  return position;
}

/** `sell` or `sellReturn`: agent and supplier data on every agent item, payments by kind. */
export function receiptTask(r: Receipt): AtolTask {
  const items: Record<string, unknown>[] = (r.headerLines ?? []).map((text) => ({ type: 'text', text }));
  items.push(...r.items.map(positionOf));
  // Tag 1192 carries the original's ФД and ФП on a return ([P] field spelling in ATOL JSON).
  if (r.additionalAttribute) items.push({ type: 'additionalAttribute', value: r.additionalAttribute });
  const payments: { type: string; sum: number }[] = [];
  if (r.payments.cashKop > 0) payments.push({ type: 'cash', sum: kopToRubNumber(r.payments.cashKop) });
  if (r.payments.cardKop > 0) payments.push({ type: 'electronically', sum: kopToRubNumber(r.payments.cardKop) });
  const task: AtolTask = {
    type: r.kind === 'sale' ? 'sell' : 'sellReturn',
    taxationType: ATOL_TAXATION[r.taxSystem],
    electronically: false,
    operator: operatorOf(r.cashier),
    items,
    payments,
    total: kopToRubNumber(r.totalKop),
  };
  if (r.settlementPlace) task['paymentsPlace'] = r.settlementPlace;
  if (r.settlementAddress) task['paymentsAddress'] = r.settlementAddress;
  if (r.customerContact) task['clientInfo'] = { emailOrPhone: r.customerContact };
  return task;
}

export interface AtolFiscalParams {
  fiscalDocumentDateTime?: string;
  fiscalDocumentNumber?: number;
  fiscalDocumentSign?: string;
  fiscalReceiptNumber?: number;
  fnNumber?: string;
  registrationNumber?: string;
  shiftNumber?: number;
  total?: number;
  fnsUrl?: string;
}

export function fiscalResultOf(r: Receipt, result: unknown): FiscalResult {
  const body = (result ?? {}) as { fiscalParams?: AtolFiscalParams; warnings?: { notPrinted?: boolean } };
  const p = body.fiscalParams;
  if (!p || typeof p.fiscalDocumentNumber !== 'number') throw new FiscalError('outcome_unknown', 'ответ ККТ без фискальных параметров');
  const at = p.fiscalDocumentDateTime ?? new Date().toISOString();
  const totalKop = typeof p.total === 'number' ? rubNumberToKop(p.total) : r.totalKop;
  const fn = p.fnNumber ?? '';
  const sign = p.fiscalDocumentSign ?? '';
  return {
    operationId: r.operationId,
    kind: r.kind,
    documentNumber: p.fiscalDocumentNumber,
    fiscalSign: sign,
    shiftNumber: p.shiftNumber ?? 0,
    receiptNumber: p.fiscalReceiptNumber ?? 0,
    at: new Date(at).toISOString(),
    totalKop,
    fnNumber: fn,
    registrationNumber: p.registrationNumber ?? '',
    qr: qrOf(at, totalKop, fn, p.fiscalDocumentNumber, sign, r.kind === 'sale' ? 1 : 2),
    printed: body.warnings?.notPrinted !== true,
  };
}

function qrOf(at: string, totalKop: number, fn: string, fd: number, fp: string, n: number): string {
  // ATOL gives local time with its offset; the QR wants that local time as YYYYMMDDTHHMM.
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(at);
  const t = m ? `${m[1]}${m[2]}${m[3]}T${m[4]}${m[5]}` : '';
  return `t=${t}&s=${Math.floor(totalKop / 100)}.${String(totalKop % 100).padStart(2, '0')}&fn=${fn}&i=${fd}&fp=${fp}&n=${n}`;
}

interface AtolTotalsBlock {
  sum?: number;
  count?: number;
  payments?: { cash?: number; electronically?: number };
}

/** `getShiftTotals` → the port's totals. Counts are read when the firmware reports them ([P]). */
export function shiftTotalsOf(result: unknown): RegisterShiftTotals {
  const t = ((result ?? {}) as { shiftTotals?: Record<string, unknown> }).shiftTotals ?? {};
  const receipts = (t['receipts'] ?? {}) as { sell?: AtolTotalsBlock; sellReturn?: AtolTotalsBlock };
  const kop = (n: number | undefined): number => (typeof n === 'number' ? rubNumberToKop(n) : 0);
  const block = (b: AtolTotalsBlock | undefined): { count: number; cashKop: number; cardKop: number } => ({
    count: b?.count ?? 0,
    cashKop: kop(b?.payments?.cash),
    cardKop: kop(b?.payments?.electronically),
  });
  return {
    shiftNumber: typeof t['shiftNumber'] === 'number' ? t['shiftNumber'] : 0,
    sales: block(receipts.sell),
    returns: block(receipts.sellReturn),
    cashInKop: kop((t['income'] as { sum?: number } | undefined)?.sum),
    cashOutKop: kop((t['outcome'] as { sum?: number } | undefined)?.sum),
    drawerKop: kop((t['cashDrawer'] as { sum?: number } | undefined)?.sum),
  };
}

/** libfptr error codes (KKTErrorType) in the port's terms. */
export function atolErrorCode(code: number): FiscalErrorCode {
  if ([1, 2, 3, 4, 241].includes(code)) return 'unavailable';
  if (code === 44) return 'paper_out';
  if (code === 45) return 'cover_open';
  if (code === 55) return 'busy';
  if (code === 68 || code === 141) return 'shift_expired';
  if (code === 73) return 'shift_closed';
  if (code === 83) return 'shift_already_open';
  if (code === 80) return 'not_enough_cash';
  if ([81, 82, 200, 201].includes(code)) return 'receipt_open';
  if (code === 53) return 'return_exceeds';
  if ([120, 121, 137, 139, 140, 166].includes(code)) return 'fn_problem';
  if (code === 167) return 'not_agent';
  // 177 "receipt close interrupted: check FN state", 203 "critical error": the receipt may exist.
  if (code === 177 || code === 203) return 'outcome_unknown';
  return 'rejected';
}

export function atolError(code: number, description: string): FiscalError {
  return new FiscalError(atolErrorCode(code), description || `ошибка ${code}`, code);
}
