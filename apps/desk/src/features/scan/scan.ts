/**
 * What a barcode scanner typed. A bill's GOST QR resolves to the account (by ЕЛС, ИПД or the account
 * number on it) with its sum and period to prefill — when its payee is ours, and with the payments
 * already taken on it — or to a provider by the payee's ИНН; any other barcode is reported as unknown.
 */
import { billAccountRefs, formatPeriod, parseBillQr } from '@paydesk/domain';
import type { ScanView as ScanResult } from '@paydesk/protocol';
import type { BillPaymentView } from '@paydesk/protocol';
import type { JournalDb } from '../../db/journal-db.ts';
import { checkPayee, journalBillPayments, mergeBillPayments } from './bill-guards.ts';

export type { ScanView as ScanResult } from '@paydesk/protocol';

export interface ScanContext {
  org: { name: string | null; inn: string | null };
  now: Date;
  /** Every desk's payments on a bill, through the server; throws when it cannot answer. */
  serverPayments: (q: {
    account: string;
    period: string | null;
    amountKop: number | null;
  }) => Promise<(BillPaymentView & { opId: string })[]>;
}

export async function resolveScan(db: JournalDb, text: string, ctx: ScanContext): Promise<ScanResult> {
  const qr = parseBillQr(text);
  if (!qr.ok) {
    return { kind: 'unknown', message: text.trim().startsWith('ST') ? qr.message : 'Этот штрихкод не похож на QR-код квитанции' };
  }
  const payee = qr.fields['Name'] ?? null;
  const amountKop = qr.sumKop ?? null;
  const refs = billAccountRefs(qr);
  const byNumber = db.prepare('SELECT number FROM accounts WHERE number = ?');
  const byEls = db.prepare('SELECT number FROM accounts WHERE els = ? ORDER BY number LIMIT 2');
  for (const ref of refs) {
    let found: { number: string }[] = [];
    if (ref.kind === 'account')
      found = [byNumber.get(ref.value) as { number: string } | undefined].filter((x): x is { number: string } => !!x);
    else if (ref.els) found = byEls.all(ref.els) as { number: string }[];
    if (found.length === 1) {
      const payeeVerdict = checkPayee(db, ctx.org, qr.fields);
      if (!payeeVerdict.ours) break;
      const accountNumber = (found[0] as { number: string }).number;
      const bill = { account: accountNumber, accountNumber, period: qr.period ?? null, amountKop };
      const local = journalBillPayments(db, bill, ctx.now);
      const server = await ctx.serverPayments(bill).catch(() => null);
      return {
        kind: 'bill',
        accountNumber,
        amountKop,
        sumNeedsConfirmation: qr.sumNeedsConfirmation,
        period: qr.period ?? null,
        payee,
        warnings: qr.warnings,
        paid: mergeBillPayments(local, server ?? []),
        paidChecked: server ? 'server' : 'this_desk',
      };
    }
  }
  const inn = qr.fields['PayeeINN'];
  if (inn) {
    const providers = db.prepare('SELECT code, data FROM providers WHERE active = 1').all() as { code: string; data: string }[];
    const p = providers.find((x) => (JSON.parse(x.data) as { inn: string }).inn === inn);
    if (p)
      return { kind: 'provider', providerCode: p.code, account: qr.fields['PersAcc'] ?? null, amountKop, payee, warnings: qr.warnings };
  }
  const verdict = checkPayee(db, ctx.org, qr.fields);
  if (!verdict.ours) {
    const who = [verdict.name, verdict.inn ? `ИНН ${verdict.inn}` : null].filter(Boolean).join(', ') || 'получатель не указан';
    return {
      kind: 'foreign_payee',
      payee: verdict.name,
      payeeInn: verdict.inn,
      message: `Квитанция другой организации (${who}): здесь её не принимают. Номер счёта в ней не открывается как наш.`,
    };
  }
  const references = refs.map((r) => r.value);
  const period = qr.period ? ` за ${formatPeriod(qr.period)}` : '';
  return {
    kind: 'bill_unknown_account',
    references,
    payee,
    amountKop,
    message: references.length
      ? `Квитанция${period}: лицевой счёт ${references.join(', ')} не найден в справочнике кассы`
      : `В квитанции${period} нет номера лицевого счёта`,
    warnings: qr.warnings,
  };
}
