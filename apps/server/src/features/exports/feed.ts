/**
 * The billing feed: payments, reversals and readings in the order they became final, each with its
 * op id. Positions are handed out in commit order (db/versioning.ts), so a consumer that reads
 * `after=N` and remembers the last position never misses a late commit and never counts one twice.
 */
import { AppError } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';

export interface FeedPage {
  items: { position: number; opId: string; kind: string; at: string; payload: unknown }[];
  /** Pass as `after` for the next page. */
  next: number;
  hasMore: boolean;
}

export async function readFeed(db: Database, after: number, limit: number): Promise<FeedPage> {
  const rows = await db.selectFrom('billing_feed').selectAll().where('position', '>', after).orderBy('position').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ position: r.position, opId: r.op_id, kind: r.kind, at: r.at.toISOString(), payload: r.payload })),
    next: page.at(-1)?.position ?? after,
    hasMore: rows.length > limit,
  };
}

/** Records how far a consumer has taken the feed; it never moves back. */
export async function ackFeed(db: Database, consumer: string, position: number): Promise<{ consumer: string; position: number }> {
  const max = await db.selectFrom('billing_feed').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  if (position > Number(max?.p ?? 0)) throw new AppError('validation.failed', `Позиции ${position} в ленте ещё нет`);
  const row = await db
    .insertInto('feed_acks')
    .values({ consumer, position })
    .onConflict((oc) => oc.column('consumer').doUpdateSet((eb) => ({ position: eb.fn('greatest', [eb.ref('feed_acks.position'), eb.ref('excluded.position')]), acked_at: new Date() })))
    .returning(['consumer', 'position'])
    .executeTakeFirstOrThrow();
  return row;
}
