/**
 * The domain's receipt and register operations as ATOL Driver v10 JSON tasks, and ATOL's answers and
 * error codes back in the port's terms (shared/specs/fiscal-registers.md, section 1).
 */
import {
  kopToRubNumber,
  rubNumberToNearestKop,
  type AgentType,
  type Receipt,
  type ReceiptItem,
  type ReceiptKind,
  type TaxSystem,
  type VatRate,
} from '@paydesk/domain';
import {
  FiscalError,
  type Cashier,
  type FiscalErrorCode,
  type FiscalResult,
  type LastDocument,
  type RegisterShiftTotals,
} from '../port.ts';

export type AtolTask = Record<string, unknown> & { type: string };

export const ATOL_TAXATION: Record<TaxSystem, string> = {
  osn: 'osn',
  usn_income: 'usnIncome',
  usn_income_outcome: 'usnIncomeOutcome',
  esn: 'esn',
  patent: 'patent',
};

export const ATOL_VAT: Record<VatRate, string> = {
  none: 'none',
  vat0: 'vat0',
  vat5: 'vat5',
  vat7: 'vat7',
  vat10: 'vat10',
  vat20: 'vat20',
  vat22: 'vat22',
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

/** `sell` or `sellReturn` (their `…Correction` for a correction receipt): agent and supplier data on every agent item, payments by kind. */
export function receiptTask(r: Receipt): AtolTask {
  const items: Record<string, unknown>[] = (r.headerLines ?? []).map((text) => ({ type: 'text', text }));
  items.push(...r.items.map(positionOf));
  // Tag 1192 carries the original's ФД and ФП on a return ([P] field spelling in ATOL JSON).
  if (r.additionalAttribute) items.push({ type: 'additionalAttribute', value: r.additionalAttribute });
  const payments: { type: string; sum: number }[] = [];
  if (r.payments.cashKop > 0) payments.push({ type: 'cash', sum: kopToRubNumber(r.payments.cashKop) });
  if (r.payments.cardKop > 0) payments.push({ type: 'electronically', sum: kopToRubNumber(r.payments.cardKop) });
  const task: AtolTask = {
    type: r.correction ? (r.kind === 'sale' ? 'sellCorrection' : 'sellReturnCorrection') : r.kind === 'sale' ? 'sell' : 'sellReturn',
    taxationType: ATOL_TAXATION[r.taxSystem],
    // The payer asked for the electronic receipt only: ATOL fiscalises without printing.
    electronically: r.electronicOnly === true,
    operator: operatorOf(r.cashier),
    items,
    payments,
    total: kopToRubNumber(r.totalKop),
  };
  if (r.settlementPlace) task['paymentsPlace'] = r.settlementPlace;
  if (r.settlementAddress) task['paymentsAddress'] = r.settlementAddress;
  if (r.customerContact) task['clientInfo'] = { emailOrPhone: r.customerContact };
  if (r.correction) {
    // Tags 1173, 1178 (ATOL's date as yyyy.mm.dd), 1179.
    task['correctionType'] = r.correction.type;
    task['correctionBaseDate'] = r.correction.baseDate.replace(/-/g, '.');
    if (r.correction.baseNumber) task['correctionBaseNumber'] = r.correction.baseNumber;
  }
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

export type Warn = (message: string) => void;

/**
 * A sum the device reported, in kopecks. Devices keep sums as doubles (a drawer of 4889.5599999999995)
 * and may give three decimals (a total of 725.745): such a sum is taken to the nearest kopeck with a
 * warning, never refused, so an odd number cannot stop a cash-in, a status read or a report. Null when
 * there is no number at all.
 */
export function readKop(value: unknown, field: string, warn: Warn): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  try {
    const { kop, exact } = rubNumberToNearestKop(value);
    if (!exact) warn(`АТОЛ: ${field} = ${String(value)} — не целое число копеек; принято ${(kop / 100).toFixed(2)}`);
    return kop;
  } catch {
    warn(`АТОЛ: ${field} = ${String(value)} — не сумма; не учтено`);
    return null;
  }
}

/** True when the device's rubles and our kopecks are less than a kopeck apart (725.745 and 725,75 ₽). */
export function withinKopeck(rub: number, kop: number): boolean {
  return Math.abs(rub * 100 - kop) < 1;
}

/**
 * A receipt's result as the port's FiscalResult. `receipt` is what the result is known to be: the caller's
 * own receipt for its fresh answer, or what the device reported (lookupOperation). A total less than a
 * kopeck from the receipt's is the receipt's own (the device's rendering of it); any other is the device's.
 */
export function fiscalResultOf(
  receipt: { operationId: string; kind: ReceiptKind; totalKop: number },
  result: unknown,
  warn: Warn,
): FiscalResult {
  const body = (result ?? {}) as { fiscalParams?: AtolFiscalParams; warnings?: { notPrinted?: boolean } | null };
  const p = body.fiscalParams;
  if (!p || typeof p.fiscalDocumentNumber !== 'number') throw new FiscalError('outcome_unknown', 'ответ ККТ без фискальных параметров');
  const at = p.fiscalDocumentDateTime ?? new Date().toISOString();
  const reported = readKop(p.total, 'fiscalParams.total', warn);
  const totalKop = reported === null || withinKopeck(p.total ?? 0, receipt.totalKop) ? receipt.totalKop : reported;
  const fn = p.fnNumber ?? '';
  const sign = p.fiscalDocumentSign ?? '';
  return {
    operationId: receipt.operationId,
    kind: receipt.kind,
    documentNumber: p.fiscalDocumentNumber,
    fiscalSign: sign,
    shiftNumber: p.shiftNumber ?? 0,
    receiptNumber: p.fiscalReceiptNumber ?? 0,
    at: new Date(at).toISOString(),
    totalKop,
    fnNumber: fn,
    registrationNumber: p.registrationNumber ?? '',
    qr: qrOf(at, totalKop, fn, p.fiscalDocumentNumber, sign, receipt.kind === 'sale' ? 1 : 2),
    printed: body.warnings?.notPrinted !== true,
  };
}

/**
 * `getFnDocument`'s answer ([S1] KKTServiceLib GetFnDocumentByNumberResult): the document's tags by number
 * under `documentTLV`, with `fiscalDocumentType` (receipt, openShift, closeShift…); tag 1054 is the receipt
 * type (1 sale, 2 sale return, 3 purchase, 4 purchase return), 1020 its total, 1012 its time, 1077 its ФП.
 * Null when the answer holds no document.
 */
export function documentOf(result: unknown, warn: Warn): (LastDocument & { receiptType: number | null }) | null {
  const tlv = ((result ?? {}) as { documentTLV?: Record<string, unknown> }).documentTLV;
  if (!tlv || typeof tlv !== 'object') return null;
  const n = Number(tlv['1040']);
  if (!Number.isInteger(n) || n <= 0) return null;
  const type = typeof tlv['fiscalDocumentType'] === 'string' ? tlv['fiscalDocumentType'] : '';
  // A correction receipt is a receipt too (KKTServiceLib's FiscalDocumentType): its 1054 says income or return.
  const isReceipt = type === 'receipt' || type === 'receiptCorrection' || type === 'bsoCorrection';
  const receiptType = isReceipt ? Number(tlv['1054']) : null;
  const kind: LastDocument['kind'] =
    type === 'openShift'
      ? 'open_shift'
      : type === 'closeShift'
        ? 'close_shift'
        : receiptType === 1
          ? 'sale'
          : receiptType === 2
            ? 'sale_return'
            : 'other';
  const at =
    typeof tlv['1012'] === 'string' && !Number.isNaN(new Date(tlv['1012']).getTime())
      ? new Date(tlv['1012']).toISOString()
      : new Date().toISOString();
  const doc: LastDocument & { receiptType: number | null } = {
    documentNumber: n,
    kind,
    totalKop: isReceipt ? readKop(tlv['1020'], 'тег 1020', warn) : null,
    at,
    operationId: null,
    receiptType: Number.isFinite(receiptType) ? receiptType : null,
  };
  if (typeof tlv['1077'] === 'string' || typeof tlv['1077'] === 'number') doc.fiscalSign = String(tlv['1077']);
  if (typeof tlv['1038'] === 'number') doc.shiftNumber = tlv['1038'];
  if (typeof tlv['qr'] === 'string') doc.qr = tlv['qr'];
  return doc;
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

/** `getShiftTotals` → the port's totals; odd sums are rounded with a warning. Counts when the firmware reports them ([P]). */
export function shiftTotalsOf(result: unknown, warn: Warn): RegisterShiftTotals {
  const t = ((result ?? {}) as { shiftTotals?: Record<string, unknown> }).shiftTotals ?? {};
  const receipts = (t['receipts'] ?? {}) as { sell?: AtolTotalsBlock; sellReturn?: AtolTotalsBlock };
  const kop = (n: number | undefined, field: string): number => readKop(n, field, warn) ?? 0;
  const block = (b: AtolTotalsBlock | undefined, name: string): { count: number; cashKop: number; cardKop: number } => ({
    count: typeof b?.count === 'number' ? b.count : 0,
    cashKop: kop(b?.payments?.cash, `shiftTotals.receipts.${name}.payments.cash`),
    cardKop: kop(b?.payments?.electronically, `shiftTotals.receipts.${name}.payments.electronically`),
  });
  return {
    shiftNumber: typeof t['shiftNumber'] === 'number' ? t['shiftNumber'] : 0,
    sales: block(receipts.sell, 'sell'),
    returns: block(receipts.sellReturn, 'sellReturn'),
    cashInKop: kop((t['income'] as { sum?: number } | undefined)?.sum, 'shiftTotals.income.sum'),
    cashOutKop: kop((t['outcome'] as { sum?: number } | undefined)?.sum, 'shiftTotals.outcome.sum'),
    drawerKop: kop((t['cashDrawer'] as { sum?: number } | undefined)?.sum, 'shiftTotals.cashDrawer.sum'),
  };
}

/**
 * libfptr error codes ([S1] KKTErrorType) in the port's terms; a code not listed is a refusal ('rejected').
 * The outcome follows the port's code: 'unavailable' and 'outcome_unknown' are unknown (the operation may
 * have happened), every other code is the device's own "not executed".
 */
export const ATOL_ERROR_CODES: Readonly<Record<number, FiscalErrorCode>> = {
  1: 'unavailable', // Соединение не установлено
  2: 'unavailable', // Нет связи
  3: 'unavailable', // Порт занят
  4: 'unavailable', // Порт недоступен
  241: 'unavailable', // Соединение с ККТ потеряно
  15: 'outcome_unknown', // Неизвестная ошибка: the web server blocks the queue on it, as on a lost link [WD]
  44: 'paper_out', // Нет бумаги
  45: 'cover_open', // Открыта крышка
  53: 'return_exceeds', // Накопление меньше суммы возврата или аннулирования
  55: 'busy', // Предыдущая операция незавершена
  68: 'shift_expired', // Смена превысила 24 часа
  141: 'shift_expired', // ФН: смена превысила 24 часа
  73: 'shift_closed', // Смена закрыта — операция невозможна
  83: 'shift_already_open', // Смена открыта — операция невозможна
  80: 'not_enough_cash', // В ККТ нет денег для выплаты
  81: 'receipt_open', // Чек закрыт — операция невозможна
  82: 'receipt_open', // Чек открыт — операция невозможна
  200: 'receipt_open', // Документ открыт — операция невозможна
  201: 'receipt_open', // Документ закрыт — операция невозможна
  120: 'fn_problem', // ФН: срок эксплуатации истёк
  121: 'fn_problem', // ФН: переполнение
  137: 'fn_problem', // ФН: ресурс исчерпан
  139: 'fn_problem', // ФН: есть неотправленные документы
  140: 'fn_problem', // ФН: исчерпан срок ожидания ОФД
  166: 'fn_problem', // ФН не найден
  167: 'not_agent', // Невозможно записать агентский тег: ККТ не зарегистрирована агентом
  177: 'outcome_unknown', // Закрытие чека прервано: проверьте состояние ФН — the receipt may exist
  203: 'outcome_unknown', // Критичная ошибка, документ необходимо отменить — the receipt may exist
};

export function atolErrorCode(code: number): FiscalErrorCode {
  return ATOL_ERROR_CODES[code] ?? 'rejected';
}

export function atolError(code: number, description: string): FiscalError {
  return new FiscalError(atolErrorCode(code), description || `ошибка ${code}`, code);
}
