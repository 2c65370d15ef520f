/**
 * What the back office watches all day: every desk live, today's totals, payments per hour per point,
 * and the queues that need a person (review, forwarding in trouble).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { BACK_OFFICE } from '../../http/auth.ts';
import { listDesks } from '../desks/routes.ts';
import { organisationTimeZone, todayIn } from '../settings/time-zone.ts';

export function overviewRoutes(app: FastifyInstance, db: Database, now: () => Date, onlineWindowMs?: number): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/overview',
    { schema: { tags: ['Обзор'], summary: 'Кассы сейчас, итоги дня, платежи по часам, очереди' }, config: { auth: BACK_OFFICE } },
    async () => {
      const tz = await organisationTimeZone(db);
      const day = todayIn(tz, now());
      const inDay = sql`p.accepted_at >= (${day}::date)::timestamp AT TIME ZONE ${tz} AND p.accepted_at < ((${day}::date + 1)::timestamp AT TIME ZONE ${tz})`;
      const [desks, totals, hourly, review, forwarding] = await Promise.all([
        listDesks(db, { onlineWindowMs }),
        sql<{ kind: string; n: string; sum: string; commission: string }>`
        SELECT p.kind, COUNT(*) AS n, COALESCE(SUM(p.total_kop), 0) AS sum, COALESCE(SUM(p.commission_kop), 0) AS commission FROM payments p WHERE ${inDay} GROUP BY p.kind`.execute(
          db,
        ),
        sql<{ hour: number; point: string; sum: string; n: string }>`
        SELECT EXTRACT(HOUR FROM p.accepted_at AT TIME ZONE ${tz})::int AS hour, pt.name AS point, SUM(p.total_kop) AS sum, COUNT(*) AS n
        FROM payments p JOIN points pt ON pt.id = p.point_id WHERE ${inDay} GROUP BY 1, 2 ORDER BY 1, 2`.execute(db),
        db
          .selectFrom('review_items')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '=', 'open')
          .executeTakeFirst(),
        db
          .selectFrom('forwardings')
          .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
          .where('state', 'in', ['queued', 'sent', 'failed'])
          .groupBy('state')
          .execute(),
      ]);
      const byKind = Object.fromEntries(
        totals.rows.map((t) => [t.kind, { count: Number(t.n), sumKop: Number(t.sum), commissionKop: Number(t.commission) }]),
      );
      const points = [...new Set(hourly.rows.map((h) => h.point))];
      const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, ...Object.fromEntries(points.map((p) => [p, 0])) }));
      for (const h of hourly.rows) (hours[h.hour] as Record<string, number>)[h.point] = Number(h.sum);
      const fwd = Object.fromEntries(forwarding.map((f) => [f.state, Number(f.n)]));
      return {
        now: now().toISOString(),
        day,
        timeZone: tz,
        desks,
        today: {
          count: totals.rows.reduce((s, t) => s + Number(t.n), 0),
          sumKop: totals.rows.reduce((s, t) => s + Number(t.sum), 0),
          commissionKop: totals.rows.reduce((s, t) => s + Number(t.commission), 0),
          byKind,
        },
        hourly: { points, hours },
        queues: {
          review: Number(review?.n ?? 0),
          forwardingInTransit: (fwd['queued'] ?? 0) + (fwd['sent'] ?? 0),
          forwardingFailed: fwd['failed'] ?? 0,
        },
      };
    },
  );
}
