/**
 * The fiscal register (ККТ) port, in the desk's own terms. Every call that changes the register
 * carries the operation id; a driver whose device supports it uses that id as its idempotency key,
 * so a resend is answered with the original result instead of a second receipt.
 */
import type { Receipt, ReceiptKind } from '@paydesk/domain';

export type DriverName = 'virtual' | 'atol' | 'kkmserver';

export interface Cashier {
  name: string;
  inn?: string;
}

export interface FiscalResult {
  operationId: string;
  kind: ReceiptKind;
  /** ФД, tag 1040. */
  documentNumber: number;
  /** ФП(Д), tag 1077, as a decimal string. */
  fiscalSign: string;
  shiftNumber: number;
  /** Receipt number in the shift, tag 1042. */
  receiptNumber: number;
  /** ISO 8601. */
  at: string;
  totalKop: number;
  fnNumber: string;
  registrationNumber: string;
  /** The ФНС QR string, tag 1196. */
  qr: string;
  /** False when the receipt was fiscalised but not printed (paper ran out): call continuePrint. */
  printed: boolean;
}

export interface ShiftDocument {
  operationId: string;
  shiftNumber: number;
  documentNumber: number;
  at: string;
}

export interface ShiftTotalsByKind {
  count: number;
  cashKop: number;
  cardKop: number;
}

/** The register's own totals of a shift, as its counters hold them. */
export interface RegisterShiftTotals {
  shiftNumber: number;
  sales: ShiftTotalsByKind;
  returns: ShiftTotalsByKind;
  cashInKop: number;
  cashOutKop: number;
  /** Cash in the drawer by the register's counters. */
  drawerKop: number;
}

export interface CloseShiftResult extends ShiftDocument {
  /** Null when the device does not report its totals through this driver. */
  totals: RegisterShiftTotals | null;
}

export type ShiftState = 'closed' | 'open' | 'expired';

export interface RegisterStatus {
  driver: DriverName;
  /** False when the device or its server does not answer. */
  connected: boolean;
  model: string;
  serialNumber: string;
  shift: { state: ShiftState; number: number | null; openedAt: string | null; expiresAt: string | null };
  paperPresent: boolean;
  /**
   * A fiscalised document waits for paper to be printed («Допечатать»): true or false where the device
   * says so, absent where it cannot (KKMServer, ATOL's status) — then a receipt settled by the counter
   * is taken as not printed.
   */
  pendingPrint?: boolean;
  coverOpen: boolean;
  receiptOpen: boolean;
  drawerKop: number | null;
  fn: { number: string; validUntil: string | null; warnings: string[] };
  ofd: { unsentCount: number; oldestUnsentAt: string | null };
  lastDocumentNumber: number | null;
}

/**
 * The register's last fiscal document (ФД), as the device itself reports it. `kind` and `totalKop` are
 * null-ish when the device reports the number only (ATOL while its queue is blocked, KKMServer over a
 * device that cannot read documents back); a reconciliation that needs
 * the contents then cannot conclude from it.
 */
export interface LastDocument {
  documentNumber: number;
  kind: 'sale' | 'sale_return' | 'open_shift' | 'close_shift' | 'other';
  totalKop: number | null;
  at: string;
  operationId: string | null;
  /** ФП(Д) and the shift, when the device gives them with the document. */
  fiscalSign?: string;
  shiftNumber?: number;
  qr?: string;
}

export interface FiscalRegister {
  readonly driver: DriverName;
  registerReceipt(receipt: Receipt): Promise<FiscalResult>;
  openShift(operationId: string, cashier: Cashier): Promise<ShiftDocument>;
  closeShift(operationId: string, cashier: Cashier): Promise<CloseShiftResult>;
  xReport(operationId: string, cashier: Cashier): Promise<RegisterShiftTotals | null>;
  cashIn(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }>;
  cashOut(operationId: string, cashier: Cashier, amountKop: number): Promise<{ drawerKop: number | null }>;
  /** Cancels a receipt left open by an error. Resolves when no receipt is open afterwards. */
  cancelReceipt(): Promise<void>;
  /** Finishes printing a document that was fiscalised but not printed. */
  continuePrint(): Promise<void>;
  reprintLast(): Promise<void>;
  /** Prints a copy of a fiscal document by its number (ФД), from the fiscal drive. */
  reprintDocument(documentNumber: number): Promise<void>;
  cut(): Promise<void>;
  printText(lines: string[]): Promise<void>;
  status(): Promise<RegisterStatus>;
  /** The register's own totals of the current shift; null when the driver cannot read them. */
  shiftTotals(): Promise<RegisterShiftTotals | null>;
  lastDocument(): Promise<LastDocument | null>;
  /**
   * What the register did for a receipt's operation id, when the device can tell (ATOL's request uuid,
   * KKMServer's IdCommand, the virtual register's journal):
   * - a result: the device printed a receipt under this id. Its `kind` and `totalKop` are what the
   *   device reports, not the caller's expectation, so the caller can see a receipt that is not its own;
   * - `null`: the device *certainly* has no document under this id (it keeps every id it ever ran);
   * - `undefined`: the device cannot tell (it forgets ids, as KKMServer does after 100 commands or a
   *   restart). Only the document counter against the number recorded before the call can decide then.
   * `expected` lets a driver whose answers do not repeat the request fill what the device left out.
   */
  lookupOperation(operationId: string, expected?: { kind: ReceiptKind; totalKop: number }): Promise<FiscalResult | null | undefined>;
  close(): Promise<void>;
}

export type FiscalErrorCode =
  | 'shift_closed'
  | 'shift_expired'
  | 'shift_already_open'
  | 'paper_out'
  | 'cover_open'
  | 'not_enough_cash'
  | 'receipt_open'
  | 'unavailable'
  | 'busy'
  | 'not_agent'
  | 'outcome_unknown'
  | 'rejected'
  | 'fn_problem'
  | 'return_exceeds';

const MESSAGES: Record<FiscalErrorCode, string> = {
  shift_closed: 'Смена закрыта. Откройте смену в меню «ККМ».',
  shift_expired: 'Смена длится больше 24 часов. Снимите Z-отчёт и откройте новую смену.',
  shift_already_open: 'Смена уже открыта.',
  paper_out: 'В ККТ закончилась бумага. Заправьте ленту и повторите.',
  cover_open: 'Открыта крышка ККТ. Закройте её и повторите.',
  not_enough_cash: 'В денежном ящике недостаточно наличных для этой операции.',
  receipt_open: 'В ККТ остался открытый чек. Отмените его в меню «ККМ» → «Отменить чек».',
  unavailable: 'ККТ не отвечает. Проверьте питание и подключение.',
  busy: 'ККТ занята предыдущей операцией. Подождите и повторите.',
  not_agent: 'ККТ не зарегистрирована как платёжный агент: агентский чек невозможен.',
  outcome_unknown: 'Неизвестно, пробит ли чек. Идёт сверка с ККТ — не принимайте деньги повторно.',
  rejected: 'ККТ отказала в операции.',
  fn_problem: 'Проблема фискального накопителя: обратитесь в сервис.',
  return_exceeds: 'Сумма возврата больше выручки смены.',
};

export type FiscalOutcome = 'not_done' | 'unknown';

/**
 * A register error. `outcome` says whether the operation certainly did not happen (`not_done`: safe
 * to fix the cause and retry) or may have happened (`unknown`: ask the device before anything else).
 * Only the device's own "not executed" answers are `not_done`; a lost link, a timeout or a device
 * that stopped answering mid-command is `unknown` unless the driver knows the command never left
 * (a refused connection). `unavailable` is unknown unless the driver says otherwise.
 */
export class FiscalError extends Error {
  readonly code: FiscalErrorCode;
  readonly outcome: FiscalOutcome;
  readonly vendorCode: number | string | undefined;

  constructor(code: FiscalErrorCode, detail?: string, vendorCode?: number | string, outcome?: FiscalOutcome) {
    super(detail ? `${MESSAGES[code]} (${detail})` : MESSAGES[code]);
    this.name = 'FiscalError';
    this.code = code;
    this.outcome = outcome ?? (code === 'outcome_unknown' || code === 'unavailable' ? 'unknown' : 'not_done');
    this.vendorCode = vendorCode;
  }
}

export function fiscalMessage(code: FiscalErrorCode): string {
  return MESSAGES[code];
}

export function isFiscalError(e: unknown): e is FiscalError {
  return e instanceof FiscalError;
}
