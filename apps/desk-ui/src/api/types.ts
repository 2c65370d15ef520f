/** The desk's answers as the screens use them (a subset of the desk API's shapes). */
export interface Cashier {
  id: string;
  login: string;
  name: string;
  role: 'cashier' | 'senior_cashier' | 'admin';
}

/** The desk's status and a payment's answer, as the protocol declares them (one source for the desk and its UI). */
export type { DeskStatus, PaymentView as PaymentResult } from '@paydesk/protocol';

export interface AccountHit {
  number: string;
  els: string | null;
  address: string;
  ownerName: string | null;
  status: 'active' | 'closed';
}

export interface DebtLine {
  serviceCode: string;
  serviceName: string;
  supplier: { id: string; name: string; inn: string };
  period: string;
  dueKop: number;
  penaltyKop: number;
  debtKop: number;
  penaltyDebtKop: number;
  advanceKop: number;
  chargeKop: number | null;
}

export interface Meter {
  id: string;
  serviceCode: string;
  serviceName: string;
  serial: string;
  digits: number;
  fractionDigits: number;
  verificationDue: string | null;
  lastValue: string | null;
  lastDate: string | null;
}

export interface AccountDetails extends AccountHit {
  debts: DebtLine[];
  totalDebtKop: number;
  totalAdvanceKop: number;
  meters: Meter[];
  recentPayments: { paymentId: string; number: string; createdAt: string; totalKop: number; state: string; reversed: boolean }[];
}

export interface Fiscal {
  documentNumber: number;
  fiscalSign: string;
  shiftNumber: number;
  receiptNumber: number;
  at: string;
  qr?: string;
  printed?: boolean;
}

export interface Quote {
  totalKop: number;
  commissionKop: number;
  /** What the payer gives towards the suppliers, before any fee on top. */
  amountKop?: number;
  lines?: { serviceCode: string; period: string; amountKop: number; penaltyKop: number; commissionKop: number }[];
  /** A billing payment's commission, supplier by supplier: each rule applies once to the supplier's share. */
  suppliers?: {
    supplierId: string;
    name: string;
    rule: string;
    mode: 'on_top' | 'included';
    baseKop: number;
    commissionKop: number;
    principalKop: number;
    feeExceedsBase: boolean;
  }[];
  warnings?: string[];
}

export interface Provider {
  code: string;
  name: string;
  category: string;
  accountLabel: string;
  accountMask: string;
  accountExample: string;
  normalize: 'none' | 'digits' | 'phone';
  minKop: number | null;
  maxKop: number | null;
  checkRequired: boolean;
  offlineAllowed: boolean;
}

export interface ScanResult {
  kind: 'bill' | 'provider' | 'bill_unknown_account' | 'unknown';
  accountNumber?: string;
  providerCode?: string;
  account?: string | null;
  amountKop?: number | null;
  sumNeedsConfirmation?: boolean;
  period?: string | null;
  payee?: string | null;
  message?: string;
}
