/** The point's own services (copies, forms) with their prices, as replicated from the server. */
import type { PriceItemView as PriceListItem } from '@paydesk/protocol';
import type { JournalDb } from '../../db/journal-db.ts';

export type { PriceItemView as PriceListItem } from '@paydesk/protocol';

export function activePriceItems(db: JournalDb): PriceListItem[] {
  return db
    .prepare('SELECT code, name, price_kop AS priceKop, unit, vat FROM price_items WHERE active = 1 ORDER BY name')
    .all() as PriceListItem[];
}
