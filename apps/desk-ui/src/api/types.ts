/** The desk's answers as the screens use them (a subset of the desk API's shapes). */
export interface Cashier {
  id: string;
  login: string;
  name: string;
  role: 'cashier' | 'senior_cashier' | 'admin';
}

export interface DeskStatus {
  online: boolean;
  unsentCount: number;
  oldestUnsentAt: string | null;
  rejectedCount: number;
  lastSyncAt: string | null;
  serverUrl: string | null;
  enrolled: boolean;
  reference: { loaded: boolean; loading: boolean; rows: number; remaining: number | null };
  shift: { open: boolean; number: number | null; openedAt: string | null; expiresAt: string | null };
  register: {
    driver: string;
    state: 'ready' | 'attention' | 'unavailable' | 'reconciling';
    connected: boolean;
    paperPresent: boolean;
    unsentToOfdCount: number;
    oldestUnsentToOfdAt: string | null;
    fnValidUntil: string | null;
    drawerKop: number | null;
    warnings: string[];
  };
  fatal: string | null;
  clock: { skewMs: number | null; warning: string | null };
}

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

export interface PaymentResult {
  paymentId: string;
  number: string;
  kind: 'billing' | 'thirdparty' | 'service';
  state: 'fiscal_pending' | 'done' | 'failed';
  totalKop: number;
  commissionKop: number;
  changeKop: number;
  method: 'cash' | 'card';
  fiscal: Fiscal | null;
  warnings: string[];
  forwarding?: { state: string; prvTxn?: string | null; comment?: string | null } | null;
  sync?: { state: string; code?: string | null; message?: string | null } | null;
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
