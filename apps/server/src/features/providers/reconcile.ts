/**
 * Reconciliation with a provider's registry: what the provider says it credited, set against what we
 * believe was confirmed. A payment the registry shows but we had not heard confirmed becomes
 * confirmed; a payment the provider does not know, a sum or account that differs, a payment we never
 * forwarded — each goes to the review queue.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { AppError, type ReviewCode } from '@paydesk/protocol';
import { parseRub } from '@paydesk/domain';
import type { Database } from '../../db/database.ts';
import { lockStamping, nextVersion } from '../../db/versioning.ts';

export interface ReconcileReport {
  rows: number;
  matched: number;
  confirmedByRegistry: number;
  mismatched: number;
  unknownToUs: number;
  missingAtProvider: number;
}

interface RegistryRow {
  txnId: string;
  prvTxn: string;
  account: string;
  sumKop: number;
  txnDate: string;
}

export function parseProviderRegistry(text: string): RegistryRow[] {
  const records = parse<Record<string, string>>(text.replace(/^\ufeff/, ''), {
    delimiter: [';', ','],
    columns: true,
    skip_empty_lines: true,
    trim: true,
  });
  return records.map((r, i) => {
    const sum = parseRub(r['sum'] ?? '');
    if (!r['txn_id'] || !/^\d{1,20}$/.test(r['txn_id']) || !sum.ok)
      throw new AppError('import.invalid_file', `Строка ${i + 2} реестра поставщика не читается: нужны txn_id и sum`);
    return { txnId: r['txn_id'], prvTxn: r['prv_txn'] ?? '', account: r['account'] ?? '', sumKop: sum.kop, txnDate: r['txn_date'] ?? '' };
  });
}

export async function reconcileProvider(db: Database, providerCode: string, text: string): Promise<ReconcileReport> {
  const provider = await db.selectFrom('providers').select('code').where('code', '=', providerCode).executeTakeFirst();
  if (!provider) throw new AppError('not_found', `Поставщик ${providerCode} не найден`);
  const rows = parseProviderRegistry(text);
  const report: ReconcileReport = {
    rows: rows.length,
    matched: 0,
    confirmedByRegistry: 0,
    mismatched: 0,
    unknownToUs: 0,
    missingAtProvider: 0,
  };
  const days = new Set(rows.map((r) => r.txnDate.slice(0, 8)).filter((d) => /^\d{8}$/.test(d)));
  await db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    const ours = await trx.selectFrom('forwardings').selectAll().where('provider_code', '=', providerCode).execute();
    const byTxn = new Map(ours.map((f) => [f.txn_id, f]));
    const review = async (code: ReviewCode, message: string, opId: string | null, context: Record<string, unknown>): Promise<void> => {
      await trx
        .insertInto('review_items')
        .values({ id: randomUUID(), kind: 'reconcile', code, message, op_id: opId, desk_id: null, context: JSON.stringify(context) })
        .onConflict((oc) => oc.columns(['op_id', 'code']).where('op_id', 'is not', null).doNothing())
        .execute();
    };
    const seen = new Set<string>();
    for (const r of rows) {
      seen.add(r.txnId);
      const f = byTxn.get(r.txnId);
      if (!f) {
        report.unknownToUs++;
        await review(
          'reconcile.unknown_to_us',
          `${providerCode} зачислил платёж txn_id ${r.txnId} (${(r.sumKop / 100).toFixed(2)} ₽ на ${r.account}), которого нет у нас`,
          null,
          { provider: providerCode, ...r },
        );
        continue;
      }
      if (f.amount_kop !== r.sumKop || (r.account && f.account !== r.account)) {
        report.mismatched++;
        await review(
          'reconcile.mismatch',
          `${providerCode}: по txn_id ${r.txnId} у поставщика ${(r.sumKop / 100).toFixed(2)} ₽ на ${r.account}, у нас ${(f.amount_kop / 100).toFixed(2)} ₽ на ${f.account}`,
          f.op_id,
          { provider: providerCode, ours: { amountKop: f.amount_kop, account: f.account }, theirs: r },
        );
        continue;
      }
      if (f.state !== 'confirmed') {
        report.confirmedByRegistry++;
        // Credited by the provider although we gave the money back (it refused, or we cancelled): paid twice.
        const refunded =
          f.state === 'failed' ||
          f.state === 'cancelled' ||
          (await trx.selectFrom('payments').select('state').where('op_id', '=', f.op_id).executeTakeFirst())?.state === 'reversed';
        if (refunded) {
          await review(
            'reconcile.refunded_and_credited',
            `${providerCode} зачислил платёж txn_id ${r.txnId} (${(r.sumKop / 100).toFixed(2)} ₽ на ${r.account}), а деньги по нему плательщику уже возвращены: нужен возврат от поставщика`,
            f.op_id,
            { provider: providerCode, stateBefore: f.state, ...r },
          );
        }
        await trx
          .updateTable('forwardings')
          .set({
            state: 'confirmed',
            prv_txn: r.prvTxn || f.prv_txn,
            comment: 'Подтверждён реестром поставщика',
            updated_at: new Date(),
            version: nextVersion(),
          })
          .where('op_id', '=', f.op_id)
          .execute();
      } else report.matched++;
    }
    for (const f of ours) {
      if (f.state === 'confirmed' && !seen.has(f.txn_id) && days.has(f.txn_date.slice(0, 8))) {
        report.missingAtProvider++;
        await review(
          'reconcile.missing_at_provider',
          `${providerCode}: платежа txn_id ${f.txn_id} (${(f.amount_kop / 100).toFixed(2)} ₽) нет в реестре поставщика, хотя он подтвердил его`,
          f.op_id,
          { provider: providerCode, txnId: f.txn_id, prvTxn: f.prv_txn },
        );
      }
    }
  });
  return report;
}
