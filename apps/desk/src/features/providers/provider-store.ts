/** The providers (third parties) as replicated from the server: what the desk and its UI read of them. */
import type { ProviderRow } from '@paydesk/protocol';
import type { JournalDb } from '../../db/journal-db.ts';

export function providerOf(db: JournalDb, code: string): ProviderRow | null {
  const r = db.prepare('SELECT data FROM providers WHERE code = ?').get(code) as { data: string } | undefined;
  return r ? (JSON.parse(r.data) as ProviderRow) : null;
}

/** What the cashier's screen needs of each active provider: never its address or credentials at the provider. */
export function activeProviders(db: JournalDb) {
  const rows = db.prepare('SELECT data FROM providers WHERE active = 1 ORDER BY code').all() as { data: string }[];
  return rows.map((x) => {
    const p = JSON.parse(x.data) as ProviderRow;
    return {
      code: p.code,
      name: p.name,
      category: p.category,
      accountLabel: p.accountLabel,
      accountMask: p.accountMask,
      accountExample: p.accountExample,
      normalize: p.normalize,
      minKop: p.minKop,
      maxKop: p.maxKop,
      commission: p.commission,
      checkRequired: p.checkRequired,
      offlineAllowed: p.offlineAllowed,
    };
  });
}
