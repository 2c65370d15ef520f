/** The point's own services (copies, forms) with their prices, as replicated from the server. */
import type { JournalDb } from '../../db/journal-db.ts';

export interface PriceListItem {
  code: string;
  name: string;
  priceKop: number;
  unit: string;
  vat: string;
}

export function activePriceItems(db: JournalDb): PriceListItem[] {
  return db
    .prepare('SELECT code, name, price_kop AS priceKop, unit, vat FROM price_items WHERE active = 1 ORDER BY name')
    .all() as PriceListItem[];
}
