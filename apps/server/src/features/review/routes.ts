/** The review queue: anomalies from sync and forwarding, with their context and the actions to resolve them. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, REVIEW_CODES, reviewTitle } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { BACK_OFFICE, requireUser } from '../../http/auth.ts';
import { appendAudit } from '../audit/audit-log.ts';

export function reviewRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/review',
    {
      schema: {
        tags: ['Разбор'],
        summary: 'Очередь разбора',
        querystring: z.object({
          status: z.enum(['open', 'resolved']).default('open'),
          code: z.enum(REVIEW_CODES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      config: { auth: BACK_OFFICE },
    },
    async (req) => {
      let q = db
        .selectFrom('review_items')
        .leftJoin('desks', 'desks.id', 'review_items.desk_id')
        .where('review_items.status', '=', req.query.status);
      if (req.query.code) q = q.where('review_items.code', '=', req.query.code);
      const [rows, count] = await Promise.all([
        q
          .selectAll('review_items')
          .select('desks.name as desk_name')
          // A person finds a payment by its receipt number and account, not by its op id.
          .select((eb) => [
            eb.selectFrom('payments').select('payments.number').whereRef('payments.op_id', '=', 'review_items.op_id').as('payment_number'),
            eb
              .selectFrom('payments')
              .select((p) => p.fn.coalesce('payments.account_number', 'payments.provider_account').as('a'))
              .whereRef('payments.op_id', '=', 'review_items.op_id')
              .as('payment_account'),
          ])
          .orderBy('review_items.created_at', 'desc')
          .limit(req.query.limit)
          .offset(req.query.offset)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return {
        total: Number(count?.n ?? 0),
        items: rows.map((i) => ({
          id: i.id,
          createdAt: i.created_at.toISOString(),
          kind: i.kind,
          code: i.code,
          title: reviewTitle(i.code),
          message: i.message,
          opId: i.op_id,
          paymentNumber: i.payment_number ?? null,
          paymentAccount: i.payment_account ?? null,
          deskId: i.desk_id,
          deskName: i.desk_name,
          context: i.context,
          status: i.status,
          resolution: i.resolution,
          note: i.note,
          resolvedBy: i.resolved_by,
          resolvedAt: i.resolved_at?.toISOString() ?? null,
        })),
      };
    },
  );

  r.post(
    '/api/v1/review/:id/resolve',
    {
      schema: {
        tags: ['Разбор'],
        summary: 'Закрыть пункт разбора с решением',
        params: z.object({ id: z.uuid() }),
        body: z.object({
          resolution: z.enum(['accepted', 'corrected_in_billing', 'refunded', 'dismissed']),
          note: z.string().trim().min(1, 'опишите решение').max(1000),
        }),
      },
      config: { auth: BACK_OFFICE },
    },
    async (req) => {
      const user = requireUser(req.principal);
      await db.transaction().execute(async (trx) => {
        const item = await trx.selectFrom('review_items').select(['status']).where('id', '=', req.params.id).forUpdate().executeTakeFirst();
        if (!item) throw new AppError('not_found', 'Пункт разбора не найден');
        if (item.status === 'resolved') throw new AppError('conflict', 'Пункт уже закрыт');
        await trx
          .updateTable('review_items')
          .set({
            status: 'resolved',
            resolution: req.body.resolution,
            note: req.body.note,
            resolved_by: user.userId,
            resolved_at: new Date(),
          })
          .where('id', '=', req.params.id)
          .execute();
        await appendAudit(trx, {
          actorType: 'user',
          actorId: user.userId,
          action: 'review.resolve',
          target: req.params.id,
          details: { resolution: req.body.resolution, note: req.body.note },
        });
      });
      return { ok: true };
    },
  );
}
