/**
 * The domain's receipt as a KKMServer RegisterCheck command, and KKMServer's answers back in the port's
 * terms (shared/specs/fiscal-registers.md, section 2; KkmFactory.Unit.RezultCommandKKm and
 * RezultCommandCheck for the answers). Errors are read in kkm-errors.ts.
 */
import {
  kopToRubNumber,
  type AgentType,
  type Receipt,
  type ReceiptItem,
  type ReceiptKind,
  type TaxSystem,
  type VatRate,
} from '@paydesk/domain';
import type { FiscalResult, LastDocument } from '../port.ts';

export type KkmCommand = Record<string, unknown> & { Command: string };

/** Tag 1055 as KKMServer's TaxVariant index. */
export const KKM_TAX_VARIANT: Record<TaxSystem, string> = { osn: '0', usn_income: '1', usn_income_outcome: '2', esn: '4', patent: '5' };
/** Tag 1057 as KKMServer's AgentSign index (not a bitmask). */
export const KKM_AGENT_SIGN: Record<AgentType, number> = { paying_agent: 2, paying_subagent: 3 };
/** Tag 1212. */
export const KKM_CALCULATION_OBJECT: Record<ReceiptItem['paymentObject'], number> = {
  commodity: 1,
  service: 4,
  payment: 10,
  agent_commission: 11,
};
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
    // 0 приход, 1 возврат прихода; 2 and 3 their corrections.
    TypeCheck: (r.kind === 'sale' ? 0 : 1) + (r.correction ? 2 : 0),
    // The payer asked for the electronic receipt only: KKMServer fiscalises without printing.
    NotPrint: r.electronicOnly === true,
    // The desk drives the card terminal itself (and a correction charges no card): KKMServer must not
    // run its own terminal for ElectronicPayment, whatever its settings say (absent means "as set").
    PayByProcessing: false,
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
  if (r.correction) {
    // Tags 1173 (0 самостоятельно, 1 по предписанию), 1178, 1179.
    cmd['CorrectionType'] = r.correction.type === 'self' ? 0 : 1;
    cmd['CorrectionBaseDate'] = `${r.correction.baseDate}T00:00:00`;
    if (r.correction.baseNumber) cmd['CorrectionBaseNumber'] = r.correction.baseNumber;
  }
  return cmd;
}

export interface KkmAnswer {
  Command?: string;
  Status?: number;
  Error?: string;
  IdCommand?: string;
  NumDevice?: number;
  CheckNumber?: number;
  SessionNumber?: number;
  SessionCheckNumber?: number;
  QRCode?: string;
  Info?: Record<string, unknown>;
  Rezult?: KkmAnswer;
  [key: string]: unknown;
}

/** Set by the driver on an answer it rebuilt after a paper-out: the receipt is fiscalised, not printed. */
export const NOT_PRINTED = 'paydeskNotPrinted';

/** Reads t, s, fn, i, fp, n from the ФНС QR string KKMServer returns. */
export function parseFnsQr(qr: string): { t?: string; s?: string; fn?: string; i?: string; fp?: string; n?: string } {
  return Object.fromEntries(new URLSearchParams(qr));
}

/**
 * Rubles from KKMServer to kopecks. Its sums are doubles on the way (4889.5599999999995), so they are
 * taken to the nearest kopeck, with a warning when the number was not a whole number of kopecks.
 * Null when there is no number.
 */
export function rubToKop(rub: unknown, field: string, warn: (message: string) => void): number | null {
  const n = typeof rub === 'number' ? rub : typeof rub === 'string' && rub.trim() !== '' ? Number(rub) : NaN;
  if (!Number.isFinite(n)) return null;
  if (!/^-?\d+(\.\d{1,2})?$/.test(String(n)))
    warn(`KKMServer: ${field} = ${String(rub)} is not a whole number of kopecks; read as ${(Math.round(n * 100) / 100).toFixed(2)}`);
  return Math.round(n * 100);
}

/** A .NET DateTime from KKMServer: the register's local time, Moscow unless it says otherwise; null for DateTime's zero. */
export function isoOfKkmTime(text: unknown): string | null {
  if (typeof text !== 'string' || text === '' || text.startsWith('0001-01-01')) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!m) return null;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}+03:00`).toISOString();
}

function qrTimeToIso(t: string | undefined): string {
  const m = t ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?$/.exec(t) : null;
  if (!m) return new Date().toISOString();
  // The QR holds the register's local time; Moscow time unless the register says otherwise.
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}+03:00`).toISOString();
}

/** Tag 1054 in the QR (n): 1 приход, 2 возврат прихода. */
function kindOfQr(n: string | undefined): ReceiptKind | null {
  return n === '1' ? 'sale' : n === '2' ? 'sale_return' : null;
}

/**
 * A receipt's answer as the port's result. Kind and sum are the device's own, from the ФНС QR it made;
 * `expected` fills only what the answer leaves out.
 */
export function fiscalResultOfKkm(
  operationId: string,
  a: KkmAnswer,
  expected: { kind: ReceiptKind; totalKop: number },
  warn: (m: string) => void,
  registrationNumber = '',
): FiscalResult | null {
  if (typeof a.CheckNumber !== 'number' || a.CheckNumber <= 0) return null;
  const qr = typeof a.QRCode === 'string' ? a.QRCode : '';
  const q = parseFnsQr(qr);
  return {
    operationId,
    kind: kindOfQr(q.n) ?? expected.kind,
    documentNumber: a.CheckNumber,
    fiscalSign: q.fp ?? '',
    shiftNumber: a.SessionNumber ?? 0,
    receiptNumber: a.SessionCheckNumber ?? 0,
    at: qrTimeToIso(q.t),
    totalKop: (q.s !== undefined ? rubToKop(q.s, 'QR s', warn) : null) ?? expected.totalKop,
    fnNumber: q.fn ?? '',
    registrationNumber,
    qr,
    printed: a[NOT_PRINTED] !== true,
  };
}

const CHECK_TYPE: Record<string, LastDocument['kind']> = {
  Приход: 'sale',
  'Возврат прихода': 'sale_return',
  'Открытие смены': 'open_shift',
  'Закрытие смены': 'close_shift',
};

/** GetDataCheck's answer (RezultCommandCheck) as the port's last document; null when it holds none. */
export function lastDocumentOfCheck(a: KkmAnswer, warn: (m: string) => void): LastDocument | null {
  const rc = a['RegisterCheck'] as Record<string, unknown> | undefined;
  const n = Number(rc?.['FiscalNumber']);
  if (!rc || !Number.isInteger(n) || n <= 0) return null;
  const kind = CHECK_TYPE[typeof rc['CheckType'] === 'string' ? rc['CheckType'] : ''] ?? 'other';
  const receipt = kind === 'sale' || kind === 'sale_return';
  const doc: LastDocument = {
    documentNumber: n,
    kind,
    totalKop: receipt ? rubToKop(rc['AllSumm'], 'AllSumm', warn) : null,
    at: isoOfKkmTime(rc['FiscalDate']) ?? new Date().toISOString(),
    operationId: null,
  };
  if (typeof rc['FiscalSign'] === 'string' && rc['FiscalSign'] !== '') doc.fiscalSign = rc['FiscalSign'];
  if (typeof a.QRCode === 'string' && a.QRCode !== '') doc.qr = a.QRCode;
  return doc;
}
