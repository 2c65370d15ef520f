/**
 * The domain's receipt as a KKMServer RegisterCheck command, and KKMServer answers back in the port's
 * terms (shared/specs/fiscal-registers.md, section 2). KKMServer reports errors as text, so they are
 * classified by what the text says.
 */
import { kopToRubNumber, type AgentType, type Receipt, type ReceiptItem, type TaxSystem, type VatRate } from '@paydesk/domain';
import { FiscalError, type FiscalErrorCode, type FiscalResult } from '../port.ts';

export type KkmCommand = Record<string, unknown> & { Command: string };

/** Tag 1055 as KKMServer's TaxVariant index. */
export const KKM_TAX_VARIANT: Record<TaxSystem, string> = { osn: '0', usn_income: '1', usn_income_outcome: '2', esn: '4', patent: '5' };
/** Tag 1057 as KKMServer's AgentSign index (not a bitmask). */
export const KKM_AGENT_SIGN: Record<AgentType, number> = { paying_agent: 2, paying_subagent: 3 };
/** Tag 1212. */
export const KKM_CALCULATION_OBJECT: Record<ReceiptItem['paymentObject'], number> = { commodity: 1, service: 4, payment: 10, agent_commission: 11 };
/** −1 is "без НДС"; 5, 7 and 22 are the newer rates ([P] for KKMServer's spelling). */
export const KKM_TAX: Record<VatRate, number> = { none: -1, vat0: 0, vat5: 5, vat7: 7, vat10: 10, vat20: 20, vat22: 22 };

function registerLine(item: ReceiptItem): Record<string, unknown> {
  const line: Record<string, unknown> = {
    Name: item.name,
    Quantity: item.quantity,
    Price: kopToRubNumber(item.priceKop),
    Amount: kopToRubNumber(item.amountKop),
    Department: 0,
    Tax: KKM_TAX[item.vat],
    SignMethodCalculation: 4,
    SignCalculationObject: KKM_CALCULATION_OBJECT[item.paymentObject],
    MeasureOfQuantity: 0,
  };
  if (item.agent) {
    line['AgentSign'] = KKM_AGENT_SIGN[item.agent.type];
    line['AgentData'] = {
      PayingAgentOperation: item.agent.operation,
      PayingAgentPhone: item.agent.agentPhone,
      ReceivePaymentsOperatorPhone: item.agent.operatorPhone,
    };
  }
  if (item.supplier) {
    const purveyor: Record<string, string> = { PurveyorName: item.supplier.name, PurveyorVATIN: item.supplier.inn };
    if (item.supplier.phone) purveyor['PurveyorPhone'] = item.supplier.phone;
    line['PurveyorData'] = purveyor;
  }
  return { Register: line };
}

export function registerCheckCommand(r: Receipt): KkmCommand {
  const strings: Record<string, unknown>[] = (r.headerLines ?? []).map((Text) => ({ PrintText: { Text } }));
  strings.push(...r.items.map(registerLine));
  const cmd: KkmCommand = {
    Command: 'RegisterCheck',
    NumDevice: 0,
    IdCommand: r.operationId,
    IsFiscalCheck: true,
    TypeCheck: r.kind === 'sale' ? 0 : 1,
    NotPrint: false,
    NumberCopies: 0,
    CashierName: r.cashier.name,
    TaxVariant: KKM_TAX_VARIANT[r.taxSystem],
    CheckStrings: strings,
    Cash: kopToRubNumber(r.payments.cashKop),
    ElectronicPayment: kopToRubNumber(r.payments.cardKop),
    AdvancePayment: 0,
    Credit: 0,
    CashProvision: 0,
  };
  if (r.cashier.inn) cmd['CashierVATIN'] = r.cashier.inn;
  if (r.settlementPlace) cmd['PlaceMarket'] = r.settlementPlace;
  if (r.settlementAddress) cmd['AddressSettle'] = r.settlementAddress;
  if (r.customerContact) cmd['ClientAddress'] = r.customerContact;
  if (r.additionalAttribute) cmd['AdditionalAttribute'] = r.additionalAttribute;
  return cmd;
}

export interface KkmAnswer {
  Command?: string;
  Status?: number;
  Error?: string;
  IdCommand?: string;
  CheckNumber?: number;
  SessionNumber?: number;
  SessionCheckNumber?: number;
  QRCode?: string;
  Info?: Record<string, unknown>;
  Rezult?: KkmAnswer;
  [key: string]: unknown;
}

/** Reads t, s, fn, i, fp from the ФНС QR string KKMServer returns. */
export function parseFnsQr(qr: string): { t?: string; s?: string; fn?: string; i?: string; fp?: string; n?: string } {
  return Object.fromEntries(new URLSearchParams(qr));
}

function qrTimeToIso(t: string | undefined): string {
  const m = t ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?$/.exec(t) : null;
  if (!m) return new Date().toISOString();
  // The QR holds the register's local time; Moscow time unless the register says otherwise.
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}+03:00`).toISOString();
}

export function fiscalResultOfKkm(operationId: string, kind: Receipt['kind'], totalKop: number, a: KkmAnswer): FiscalResult {
  if (typeof a.CheckNumber !== 'number') throw new FiscalError('outcome_unknown', 'ответ KKMServer без номера документа');
  const qr = a.QRCode ?? '';
  const q = parseFnsQr(qr);
  return {
    operationId,
    kind,
    documentNumber: a.CheckNumber,
    fiscalSign: q.fp ?? '',
    shiftNumber: a.SessionNumber ?? 0,
    receiptNumber: a.SessionCheckNumber ?? 0,
    at: qrTimeToIso(q.t),
    totalKop,
    fnNumber: q.fn ?? '',
    registrationNumber: '',
    qr,
    printed: true,
  };
}

const TEXT_RULES: [RegExp, FiscalErrorCode][] = [
  [/бумаг/i, 'paper_out'],
  [/крышк/i, 'cover_open'],
  [/(24 час|истек|превыш).*смен|смен.*(24 час|истек|превыш)/i, 'shift_expired'],
  [/смена.*(уже открыта)|открыта смена/i, 'shift_already_open'],
  [/смена.*(закрыта|не открыта)|не открыта смена/i, 'shift_closed'],
  [/недостаточно (наличн|денег|средств)|не хватает наличн/i, 'not_enough_cash'],
  [/агент/i, 'not_agent'],
  [/открыт.*чек|чек.*открыт/i, 'receipt_open'],
  [/возврат.*(больше|превыш)|накоплени/i, 'return_exceeds'],
  [/фн|фискальн.*накопит|офд/i, 'fn_problem'],
  [/не найден.*устройств|нет связи|не подключ|таймаут|timeout|не отвечает/i, 'unavailable'],
  [/занят/i, 'busy'],
];

export function kkmErrorCode(text: string): FiscalErrorCode {
  return TEXT_RULES.find(([re]) => re.test(text))?.[1] ?? 'rejected';
}

export function kkmError(text: string): FiscalError {
  return new FiscalError(kkmErrorCode(text), text || 'ошибка KKMServer', 'kkmserver');
}
