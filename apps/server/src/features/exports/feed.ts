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
import { txnIdFromOpId } from '@paydesk/domain';
import { AppError, type feedItem, type feedPage } from '@paydesk/protocol';
import type { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { incarnation } from '../../db/incarnation.ts';
import { isoInZone, organisationTimeZone } from '../settings/time-zone.ts';

/** The page as the wire has it (packages/protocol: feedPage): `next` is the `after` of the next page, `incarnation` changes at a restore. */
export type FeedPage = z.infer<typeof feedPage>;

export async function readFeed(db: Database, after: number, limit: number): Promise<FeedPage> {
  const life = await incarnation(db);
  if (after > 0) {
    const max = Number(
      (
        await db
          .selectFrom('billing_feed')
          .select((eb) => eb.fn.max('position').as('p'))
          .executeTakeFirst()
      )?.p ?? 0,
    );
    if (after > max) {
      // The server cannot tell a restore from a cursor of another server or a typo: the consumer can, by incarnation.
      throw new AppError(
        'feed.cursor_ahead',
        `Позиции ${after} в ленте нет: последняя позиция ${max}. Если incarnation (${life}) не тот, что вы запомнили, сервер восстановлен из копии — продолжите с позиции ${max} и отбрасывайте повторы по opId; если тот же — проверьте сохранённый курсор.`,
        { last: max, incarnation: life },
      );
    }
  }
  const rows = await db
    .selectFrom('billing_feed')
    .selectAll()
    .where('position', '>', after)
    .orderBy('position')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const joined = await joinsOf(db, page);
  const zone = await organisationTimeZone(db);
  return {
    // Kind and payload as sync/apply-ops.ts wrote them, completed with what a billing would otherwise join
    // for; the answer is checked against feedItem as it is sent.
    items: page.map(
      (r) =>
        ({
          position: r.position,
          opId: r.op_id,
          kind: r.kind,
          at: isoInZone(zone, r.at),
          payload: complete(r.op_id, r.payload as Payload, joined),
        }) as z.infer<typeof feedItem>,
    ),
    next: page.at(-1)?.position ?? after,
    hasMore: rows.length > limit,
    incarnation: life,
  };
}

type Payload = Record<string, unknown> & { deskId?: string; originalOpId?: string; lines?: Record<string, unknown>[] };

interface Joined {
  desks: Map<string, { deskName: string; pointCode: string }>;
  /** Each payment's lines in order: whose money each is, as the server filed it (payment_lines). */
  suppliers: Map<string, { supplierId: string | null; supplierInn: string | null }[]>;
}

/** The desks and points of a page's items, and the suppliers of their payments' lines, in two queries. */
async function joinsOf(db: Database, page: { op_id: string; payload: unknown }[]): Promise<Joined> {
  const payloads = page.map((r) => r.payload as Payload);
  const deskIds = [...new Set(payloads.map((p) => p.deskId).filter((x): x is string => typeof x === 'string'))];
  const paymentIds = [...new Set(page.map((r) => (r.payload as Payload).originalOpId ?? r.op_id))];
  const [desks, lines] = await Promise.all([
    deskIds.length
      ? db
          .selectFrom('desks')
          .innerJoin('points', 'points.id', 'desks.point_id')
          .select(['desks.id', 'desks.name', 'points.code'])
          .where('desks.id', 'in', deskIds)
          .execute()
      : [],
    paymentIds.length
      ? db
          .selectFrom('payment_lines as l')
          .leftJoin('suppliers as s', 's.id', 'l.supplier_id')
          .select(['l.op_id', 'l.supplier_id', 's.inn'])
          .where('l.op_id', 'in', paymentIds)
          .orderBy('l.op_id')
          .orderBy('l.line_no')
          .execute()
      : [],
  ]);
  const suppliers = new Map<string, { supplierId: string | null; supplierInn: string | null }[]>();
  for (const l of lines)
    suppliers.set(l.op_id, [...(suppliers.get(l.op_id) ?? []), { supplierId: l.supplier_id, supplierInn: l.inn ?? null }]);
  return { desks: new Map(desks.map((d) => [d.id, { deskName: d.name, pointCode: d.code }])), suppliers };
}

/**
 * The registries' operation number (txnId), the point's code and the desk's name beside their ids, and
 * each payment or reversal line's supplier with its ИНН — the same lines, in the same order, as the
 * server filed them, for items written before lines named their supplier too.
 */
function complete(opId: string, p: Payload, j: Joined): Payload {
  const desk = p.deskId ? j.desks.get(p.deskId) : undefined;
  const out: Payload = { ...p, ...(desk ?? {}) };
  if (p.lines) {
    const filed = j.suppliers.get(p.originalOpId ?? opId) ?? [];
    out.lines = p.lines.map((l, i) => ({ ...l, ...(filed[i] ?? { supplierId: null, supplierInn: null }) }));
    out['txnId'] = txnIdFromOpId(opId);
    if (p.originalOpId) out['originalTxnId'] = txnIdFromOpId(p.originalOpId);
  }
  return out;
}

/** Records how far a consumer has taken the feed; it never moves back. */
export async function ackFeed(db: Database, consumer: string, position: number): Promise<{ consumer: string; position: number }> {
  const max = await db
    .selectFrom('billing_feed')
    .select((eb) => eb.fn.max('position').as('p'))
    .executeTakeFirst();
  if (position > Number(max?.p ?? 0)) throw new AppError('validation.failed', `Позиции ${position} в ленте ещё нет`);
  const row = await db
    .insertInto('feed_acks')
    .values({ consumer, position })
    .onConflict((oc) =>
      oc.column('consumer').doUpdateSet((eb) => ({
        position: eb.fn('greatest', [eb.ref('feed_acks.position'), eb.ref('excluded.position')]),
        acked_at: new Date(),
      })),
    )
    .returning(['consumer', 'position'])
    .executeTakeFirstOrThrow();
  return row;
}
