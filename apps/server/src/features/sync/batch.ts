/**
 * What applying a batch of operations will write, gathered in memory first so the batch reaches the
 * database in a handful of multi-row statements, and what the op handlers need to read, fetched once.
 */
import type { ReviewCode } from '@paydesk/protocol';
import type { Insertable } from 'kysely';
import type { DB } from '../../db/schema.ts';

export interface ReviewDraft {
  kind: string;
  code: ReviewCode;
  message: string;
  opId: string;
  context: Record<string, unknown>;
}

export interface ChargeDelta {
  account: string;
  service: string;
  period: string;
  paidKop: number;
  paidPenaltyKop: number;
}

export interface FeedDraft {
  opId: string;
  kind: 'payment' | 'reversal' | 'reading';
  at: string;
  payload: Record<string, unknown>;
}

export interface PaymentFacts {
  opId: string;
  kind: 'billing' | 'thirdparty' | 'service';
  deskId: string;
  state: 'accepted' | 'reversed';
  totalKop: number;
  accountNumber: string | null;
  providerCode: string | null;
  commissionKop: number;
  lines: { code: string; period: string | null; amountKop: number; penaltyKop: number; commissionKop: number }[];
  /** When the payment was pushed in this batch. */
  fresh: boolean;
}

export class Batch {
  payments: Insertable<DB['payments']>[] = [];
  lines: Insertable<DB['payment_lines']>[] = [];
  readings: Insertable<DB['readings']>[] = [];
  reversals: Insertable<DB['reversals']>[] = [];
  cashOps: Insertable<DB['cash_ops']>[] = [];
  corrections: Insertable<DB['corrections']>[] = [];
  shifts = new Map<number, Insertable<DB['shifts']>>();
  forwardings: Omit<Insertable<DB['forwardings']>, 'version'>[] = [];
  /** Forwardings of payments reversed before they were sent: they must not be sent. */
  cancelForwardings: string[] = [];
  reversedPayments = new Map<string, string>();
  charges = new Map<string, ChargeDelta>();
  meters = new Map<string, { valueMilli: number; date: string }>();
  feed: FeedDraft[] = [];
  review: ReviewDraft[] = [];

  addCharge(account: string, service: string, period: string, paidKop: number, paidPenaltyKop: number): void {
    const key = `${account}\u0000${service}\u0000${period}`;
    const d = this.charges.get(key) ?? { account, service, period, paidKop: 0, paidPenaltyKop: 0 };
    d.paidKop += paidKop;
    d.paidPenaltyKop += paidPenaltyKop;
    this.charges.set(key, d);
  }

  updateMeter(meterId: string, valueMilli: number, date: string): void {
    const current = this.meters.get(meterId);
    if (!current || current.date < date) this.meters.set(meterId, { valueMilli, date });
  }
}

/** Reference data and earlier facts the handlers consult, read in bulk before applying. */
export interface Lookups {
  accounts: Map<string, { status: 'active' | 'closed' }>;
  services: Map<string, { supplierId: string; name: string }>;
  suppliers: Map<string, { commission: unknown; agentType: 'paying_agent' | 'paying_subagent'; name: string; inn: string }>;
  charges: Map<string, { dueKop: number; penaltyKop: number; paidKop: number; paidPenaltyKop: number; supplierId?: string | null }>;
  meters: Map<
    string,
    {
      accountNumber: string;
      serial: string;
      digits: number;
      fractionDigits: number;
      verificationDue: string | null;
      jumpThreshold: number | null;
      lastValueMilli: number | null;
      lastDate: string | null;
    }
  >;
  providers: Map<
    string,
    {
      commission: unknown;
      agentType: 'paying_agent' | 'paying_subagent';
      minKop: number | null;
      maxKop: number | null;
      channel: 'osmp' | 'registry';
      canCancel: boolean;
      active: boolean;
    }
  >;
  priceItems: Map<string, { priceKop: number; name: string }>;
  payments: Map<string, PaymentFacts>;
  /** Reversals already recorded for payments in this batch (a reversal pushed by another desk first). */
  reversalsOf: Map<string, string>;
  forwardingStates: Map<string, string>;
  /** timeZone: the organisation's, for the times a provider is sent (OSMP txn_date). */
  settings: { subagentCapKop: number; cutoffDay: number; timeZone: string };
}

export function chargeKey(account: string, service: string, period: string): string {
  return `${account}\u0000${service}\u0000${period}`;
}
