/**
 * Two checks on a scanned bill before the cashier takes money on it (issue 19 items 1 and 2):
 *
 * - The payee must be ours: a supplier in the desk's catalog or the organisation itself, by the QR's
 *   ИНН, or by its name when the QR carries no ИНН. Another organisation's bill whose account number
 *   happens to be one of ours must not open that account with its sum.
 * - A bill already paid is said so, with the payment: this desk's journal always, every desk's
 *   payments through the server when it answers within a moment (the scan must stay fast).
 */
import type { BillPaymentView } from '@paydesk/protocol';
import type { JournalDb } from '../../db/journal-db.ts';
import { FiscalState } from '../journal/lifecycle.ts';

/** Names compared as a person reads them: case, quotes of any kind and spacing do not matter. */
export function payeeKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/["'«»„“”`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export type PayeeVerdict = { ours: true } | { ours: false; name: string | null; inn: string | null };

export function checkPayee(db: JournalDb, org: { name: string | null; inn: string | null }, fields: Record<string, string>): PayeeVerdict {
  const inn = fields['PayeeINN']?.trim() || null;
  const name = fields['Name']?.trim() || null;
  const suppliers = db.prepare('SELECT name, inn FROM suppliers WHERE active = 1').all() as { name: string; inn: string }[];
  if (inn) {
    if (inn === org.inn || suppliers.some((s) => s.inn === inn)) return { ours: true };
    return { ours: false, name, inn };
  }
  if (name) {
    const key = payeeKey(name);
    if ((org.name && payeeKey(org.name) === key) || suppliers.some((s) => payeeKey(s.name) === key)) return { ours: true };
  }
  return { ours: false, name, inn };
}

/** How far back this desk's journal is searched: bills are paid within months of being issued. */
const LOOKBACK_DAYS = 120;

/** This desk's own payments on the bill: same account and period, or with no period the same principal. */
export function journalBillPayments(
  db: JournalDb,
  bill: { accountNumber: string; period: string | null; amountKop: number | null },
  now: Date,
): (BillPaymentView & { opId: string })[] {
  if (!bill.period && !bill.amountKop) return [];
  const rows = db
    .prepare(
      `SELECT o.op_id, o.number, o.created_at, o.total_kop, o.request, p.body FROM operations o JOIN ops p ON p.op_id = o.op_id
       WHERE o.kind = 'billing' AND o.state = '${FiscalState.done}' AND o.account_number = ? AND o.created_at >= ?
         AND NOT EXISTS (SELECT 1 FROM operations r WHERE r.kind = 'reversal' AND r.original_op_id = o.op_id AND r.state = '${FiscalState.done}')
       ORDER BY o.created_at DESC LIMIT 50`,
    )
    .all(bill.accountNumber, new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000).toISOString()) as {
    op_id: string;
    number: string | null;
    created_at: string;
    total_kop: number | null;
    request: string;
    body: string;
  }[];
  return rows
    .filter((r) => {
      // Taken from this very bill's scan: its own period and sum say so, whatever lines the sum was spread to.
      const raw = (JSON.parse(r.request) as { raw?: string }).raw;
      const paidBill = raw ? (JSON.parse(raw) as { bill?: { period: string | null; amountKop: number | null } }).bill : undefined;
      if (paidBill && paidBill.period === bill.period && paidBill.amountKop === bill.amountKop) return true;
      const lines = (JSON.parse(r.body) as { lines?: { period: string; amountKop: number; penaltyKop: number }[] }).lines ?? [];
      if (bill.period) return lines.some((l) => l.period === bill.period);
      return lines.reduce((s, l) => s + l.amountKop + l.penaltyKop, 0) === bill.amountKop;
    })
    .map((r) => ({ opId: r.op_id, number: r.number ?? '', at: r.created_at, totalKop: r.total_kop ?? 0, deskName: null }));
}

/** This desk's payments and the server's, each once (a pushed payment is in both). */
export function mergeBillPayments(
  local: (BillPaymentView & { opId: string })[],
  server: (BillPaymentView & { opId: string })[],
): BillPaymentView[] {
  const byId = new Map<string, BillPaymentView>();
  for (const p of local) byId.set(p.opId, { number: p.number, at: p.at, totalKop: p.totalKop, deskName: null });
  for (const p of server)
    if (!byId.has(p.opId)) byId.set(p.opId, { number: p.number, at: p.at, totalKop: p.totalKop, deskName: p.deskName });
  return [...byId.values()].sort((a, b) => b.at.localeCompare(a.at));
}
