/** Payments as the back office and the billing's people look them up. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, billPaymentsAnswer, billPaymentsQuery, paymentDetail, paymentList, reviewTitle } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { DESK, READ, requireDesk } from '../../http/auth.ts';
import { answers } from '../../http/openapi.ts';
import { billPayments } from './bill-payments.ts';
import { dayBoundsIn, organisationTimeZone } from '../settings/time-zone.ts';

export const paymentFilters = z.object({
  desk: z.uuid().optional(),
  point: z.uuid().optional(),
  cashier: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  account: z.string().trim().min(1).max(30).optional(),
  kind: z.enum(['billing', 'thirdparty', 'service']).optional(),
  state: z.enum(['accepted', 'reversed']).optional(),
  review: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** A date alone means the whole day on the organisation's clocks. */
function bound(value: string, end: boolean, timeZone: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return dayBoundsIn(timeZone, value)[end ? 1 : 0];
  return new Date(value);
}

export function paymentRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/desks/bill-payments',
    {
      schema: {
        tags: ['Платежи'],
        summary: 'Касса при сканировании квитанции: платежи по этому счёту за этот период (или на эту сумму) с любой кассы',
        querystring: billPaymentsQuery,
        response: answers({ 200: billPaymentsAnswer }, ['validation.failed']),
      },
      config: { auth: DESK },
    },
    async (req) => {
      requireDesk(req.principal);
      return { items: await billPayments(db, req.query) };
    },
  );

  r.get(
    '/api/v1/payments',
    {
      schema: {
        tags: ['Платежи'],
        summary: 'Платежи с фильтрами, их число и сумма',
        querystring: paymentFilters,
        response: answers({ 200: paymentList }, ['validation.failed']),
      },
      config: { auth: READ },
    },
    async (req) => {
      const f = req.query;
      let q = db.selectFrom('payments');
      if (f.desk) q = q.where('desk_id', '=', f.desk);
      if (f.point) q = q.where('point_id', '=', f.point);
      if (f.cashier) q = q.where('cashier_id', '=', f.cashier);
      const timeZone = f.from || f.to ? await organisationTimeZone(db) : '';
      if (f.from) q = q.where('accepted_at', '>=', bound(f.from, false, timeZone));
      if (f.to) q = q.where('accepted_at', '<', bound(f.to, true, timeZone));
      if (f.account) q = q.where('account_number', '=', f.account);
      if (f.kind) q = q.where('kind', '=', f.kind);
      if (f.state) q = q.where('state', '=', f.state);
      if (f.review) q = q.where('review', '=', f.review === 'true');
      const [items, totals] = await Promise.all([
        q.selectAll().orderBy('accepted_at', 'desc').limit(f.limit).offset(f.offset).execute(),
        q
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.coalesce(eb.fn.sum<number>('total_kop'), eb.lit(0)).as('sum')])
          .executeTakeFirst(),
      ]);
      return {
        items: items.map((p) => ({
          opId: p.op_id,
          number: p.number,
          kind: p.kind,
          deskId: p.desk_id,
          pointId: p.point_id,
          cashierId: p.cashier_id,
          accountNumber: p.account_number,
          providerCode: p.provider_code,
          providerAccount: p.provider_account,
          acceptedAt: p.accepted_at.toISOString(),
          method: p.method,
          totalKop: p.total_kop,
          commissionKop: p.commission_kop,
          state: p.state,
          review: p.review,
        })),
        total: Number(totals?.n ?? 0),
        sumKop: Number(totals?.sum ?? 0),
      };
    },
  );

  r.get(
    '/api/v1/payments/:opId',
    {
      schema: {
        tags: ['Платежи'],
        summary: 'Платёж: строки, чек, сторно, передача поставщику',
        params: z.object({ opId: z.uuid() }),
        response: answers({ 200: paymentDetail }, ['validation.failed', 'not_found']),
      },
      config: { auth: READ },
    },
    async (req) => {
      const p = await db.selectFrom('payments').selectAll().where('op_id', '=', req.params.opId).executeTakeFirst();
      if (!p) throw new AppError('not_found', 'Платёж не найден');
      const [lines, reversal, forwarding, review] = await Promise.all([
        db.selectFrom('payment_lines').selectAll().where('op_id', '=', p.op_id).orderBy('line_no').execute(),
        db.selectFrom('reversals').selectAll().where('original_op_id', '=', p.op_id).execute(),
        db
          .selectFrom('forwardings')
          .select(['state', 'txn_id', 'prv_txn', 'result_code', 'comment', 'attempts', 'updated_at'])
          .where('op_id', '=', p.op_id)
          .executeTakeFirst(),
        db.selectFrom('review_items').select(['id', 'code', 'message', 'status']).where('op_id', '=', p.op_id).execute(),
      ]);
      return {
        opId: p.op_id,
        number: p.number,
        kind: p.kind,
        deskId: p.desk_id,
        pointId: p.point_id,
        cashierId: p.cashier_id,
        accountNumber: p.account_number,
        providerCode: p.provider_code,
        providerAccount: p.provider_account,
        acceptedAt: p.accepted_at.toISOString(),
        shiftNumber: p.shift_number,
        method: p.method,
        tenderedKop: p.tendered_kop,
        totalKop: p.total_kop,
        commissionKop: p.commission_kop,
        principalKop: p.principal_kop,
        fiscal: p.fiscal as Record<string, unknown> | null,
        state: p.state,
        lines: lines.map((l) => ({
          lineNo: l.line_no,
          code: l.code,
          name: l.name,
          supplierId: l.supplier_id,
          period: l.period,
          quantity: l.quantity,
          amountKop: l.amount_kop,
          penaltyKop: l.penalty_kop,
          commissionKop: l.commission_kop,
        })),
        reversals: reversal.map((x) => ({
          opId: x.op_id,
          reason: x.reason,
          amountKop: x.amount_kop,
          reversedAt: x.reversed_at.toISOString(),
          approvedBy: x.approved_by,
        })),
        forwarding: forwarding
          ? {
              state: forwarding.state,
              txnId: forwarding.txn_id,
              prvTxn: forwarding.prv_txn,
              code: forwarding.result_code,
              comment: forwarding.comment,
              attempts: forwarding.attempts,
              updatedAt: forwarding.updated_at.toISOString(),
            }
          : null,
        review: review.map((i) => ({ ...i, title: reviewTitle(i.code) })),
      };
    },
  );
}
