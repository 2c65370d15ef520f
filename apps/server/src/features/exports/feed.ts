/**
 * The billing feed: payments, reversals and readings in the order they became final, each with its
 * op id. Positions are handed out in commit order (db/versioning.ts), so a consumer that reads
 * `after=N` and remembers the last position never misses a late commit and never counts one twice.
 *
 * After the server is put back from a backup, positions above the restored ones are handed out again
 * to other entries. A consumer whose `after` is above every position the server holds is told so
 * (409 `feed.cursor_ahead`, with the position to continue from) instead of silently skipping what
 * comes next; every page carries the server's incarnation, which changes at a restore. Entries the
 * consumer already took may come again under new positions when desks re-send what the restore lost:
 * consumers deduplicate by `opId`.
 */
import { AppError, type feedItem, type feedPage } from '@paydesk/protocol';
import type { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { incarnation } from '../../db/incarnation.ts';

/** The page as the wire has it (packages/protocol: feedPage): `next` is the `after` of the next page, `incarnation` changes at a restore. */
export type FeedPage = z.infer<typeof feedPage>;

export async function readFeed(db: Database, after: number, limit: number): Promise<FeedPage> {
  const life = await incarnation(db);
  if (after > 0) {
    const max = Number((await db.selectFrom('billing_feed').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst())?.p ?? 0);
    if (after > max) {
      throw new AppError('feed.cursor_ahead', `Позиции ${after} в ленте нет: сервер восстановлен из копии, его последняя позиция ${max}. Продолжите с неё и отбрасывайте повторы по opId.`, { last: max, incarnation: life });
    }
  }
  const rows = await db.selectFrom('billing_feed').selectAll().where('position', '>', after).orderBy('position').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    // Kind and payload as sync/apply-ops.ts wrote them; the answer is checked against feedItem as it is sent.
    items: page.map((r) => ({ position: r.position, opId: r.op_id, kind: r.kind, at: r.at.toISOString(), payload: r.payload }) as z.infer<typeof feedItem>),
    next: page.at(-1)?.position ?? after,
    hasMore: rows.length > limit,
    incarnation: life,
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
