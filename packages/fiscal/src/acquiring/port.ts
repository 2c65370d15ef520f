/**
 * The bank's card terminal (эквайринг), beside the fiscal register. Every call that may move money
 * carries a command id: the desk's own, journaled before the call, so the terminal (or KKMServer in
 * front of it) can be asked afterwards what became of it, and a resend is answered, not repeated.
 */

export type TerminalDriverName = 'virtual' | 'kkmserver' | 'standalone';

/** What the bank approved: what the slip says and what a refund or a cancel needs later. */
export interface CardApproval {
  commandId: string;
  operation: CardOperation;
  amountKop: number;
  /** Код авторизации. */
  authCode: string;
  /** Retrieval reference number: the bank's id of the transaction, 12 characters. */
  rrn: string;
  /** As the terminal masks it, e.g. «****1234». */
  maskedPan: string;
  /** МИР, VISA, MASTERCARD…, as the terminal names it; empty when it does not. */
  cardType: string;
  /** The slip the bank asks to print, line by line; empty when the terminal printed it itself. */
  slip: string[];
  printedOnTerminal: boolean;
  at: string;
}

export type CardOperation = 'pay' | 'refund' | 'cancel';

export interface CardOriginal {
  rrn: string;
  authCode: string;
  amountKop: number;
}

/** The terminal's totals of the day, when it gives them (KKMServer gives the slip only). */
export interface SettlementTotals {
  payCount: number;
  payKop: number;
  refundCount: number;
  refundKop: number;
}

export interface SettlementResult {
  commandId: string;
  slip: string[];
  totals: SettlementTotals | null;
  at: string;
}

export interface AcquiringTerminal {
  readonly driver: TerminalDriverName;
  /** Charges the card presented at the terminal. */
  pay(commandId: string, amountKop: number): Promise<CardApproval>;
  /** Cancels a payment of the same day (before the settlement), by its RRN. */
  cancel(commandId: string, original: CardOriginal): Promise<CardApproval>;
  /** Returns money to the card of an earlier day's payment, by its RRN. */
  refund(commandId: string, amountKop: number, original: CardOriginal): Promise<CardApproval>;
  /**
   * Cancels the terminal's last operation when its outcome is unknown. `commandId` names the operation
   * meant: a terminal that can check refuses when its last operation is another one.
   */
  emergencyReversal(commandId: string, amountKop: number): Promise<void>;
  /**
   * What the terminal did under a command id:
   * - an approval: it was done;
   * - `null`: certainly not done (declined, refused, never received by a terminal that keeps every id);
   * - `undefined`: it cannot tell (KKMServer forgot the id after a restart or 100 newer commands).
   */
  lookup(commandId: string): Promise<CardApproval | null | undefined>;
  /** Сверка итогов: closes the terminal's day with the bank. */
  settlement(commandId: string): Promise<SettlementResult>;
  close(): Promise<void>;
}

export type AcquiringErrorCode = 'declined' | 'unavailable' | 'busy' | 'outcome_unknown' | 'not_supported' | 'nothing_to_reverse';

const MESSAGES: Record<AcquiringErrorCode, string> = {
  declined: 'Банк отказал в операции по карте.',
  unavailable: 'Терминал оплаты картой не отвечает. Проверьте питание и подключение.',
  busy: 'Терминал занят предыдущей операцией. Подождите и повторите.',
  outcome_unknown: 'Неизвестно, прошла ли операция по карте.',
  not_supported: 'Терминал не поддерживает эту операцию.',
  nothing_to_reverse: 'На терминале нет такой последней операции: отменять нечего.',
};

/**
 * A terminal error. `not_done`: the card was certainly not charged (a decline, a refused connection);
 * `unknown`: it may have been (a timeout after the card was read, a lost answer).
 */
export class AcquiringError extends Error {
  readonly code: AcquiringErrorCode;
  readonly outcome: 'not_done' | 'unknown';
  /** The bank's or the terminal's own code, e.g. «51» (insufficient funds). */
  readonly bankCode: string | undefined;

  constructor(code: AcquiringErrorCode, detail?: string, bankCode?: string, outcome?: 'not_done' | 'unknown') {
    super(detail ? `${MESSAGES[code]} ${detail}` : MESSAGES[code]);
    this.name = 'AcquiringError';
    this.code = code;
    this.outcome = outcome ?? (code === 'outcome_unknown' || code === 'unavailable' ? 'unknown' : 'not_done');
    this.bankCode = bankCode;
  }
}

export function isAcquiringError(e: unknown): e is AcquiringError {
  return e instanceof AcquiringError;
}

/**
 * The reasons a bank gives most often (ISO 8583 response codes as Russian processing centres print
 * them), in words a cashier can say to the payer.
 */
const BANK_REASONS: Record<string, string> = {
  '05': 'операция отклонена банком, выпустившим карту',
  '14': 'неверный номер карты',
  '33': 'срок действия карты истёк',
  '41': 'карта утеряна, изъять карту',
  '43': 'карта украдена, изъять карту',
  '51': 'недостаточно средств на карте',
  '54': 'срок действия карты истёк',
  '55': 'неверный ПИН-код',
  '57': 'операция по этой карте запрещена',
  '61': 'превышен лимит суммы по карте',
  '65': 'превышен лимит числа операций по карте',
  '75': 'превышено число попыток ввода ПИН-кода',
  '91': 'банк карты недоступен, повторите позже',
  '96': 'сбой в банке, повторите позже',
};

export function bankReason(code: string | undefined, fallback?: string): string {
  if (code && BANK_REASONS[code]) return BANK_REASONS[code];
  return fallback && fallback.trim() !== '' ? fallback.trim() : 'причину банк не сообщил';
}

/** Masks a card number the way slips do, keeping the last four digits only. */
export function maskPan(pan: string): string {
  const digits = pan.replace(/\D/g, '');
  if (digits.length < 4) return pan.includes('*') ? pan : '****';
  return `****${digits.slice(-4)}`;
}
