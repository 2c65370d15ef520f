/** An account's card for the back office: who and where, debts by service and period, meters, readings, payments. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sql } from 'kysely';
import { AppError } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { BACK_OFFICE } from '../../http/auth.ts';

const milliToText = (milli: number | null): string | null =>
  milli === null
    ? null
    : (milli / 1000)
        .toFixed(3)
        .replace(/\.?0+$/, '')
        .replace('.', ',');

export function accountCardRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // `:key`, as the catalog's own account routes name it, so the two share one router node.
  r.get(
    '/api/v1/accounts/:key/card',
    {
      schema: {
        tags: ['Лицевые счета'],
        summary: 'Карточка счёта: долги, счётчики, показания, платежи',
        params: z.object({ key: z.string().min(1).max(30) }),
      },
      config: { auth: BACK_OFFICE },
    },
    async (req) => {
      const number = req.params.key;
      const account = await db.selectFrom('accounts').selectAll().where('number', '=', number).executeTakeFirst();
      if (!account) throw new AppError('not_found', `Лицевой счёт ${number} не найден`);
      const [charges, meters, readings, payments] = await Promise.all([
        // The charge's own supplier when it names one (one service, many УК), else the service's.
        db
          .selectFrom('charges as c')
          .innerJoin('services as s', 's.code', 'c.service_code')
          .leftJoin('suppliers as p', (j) => j.on(sql<boolean>`p.id = coalesce(c.supplier_id, s.supplier_id)`))
          .select([
            'c.service_code',
            's.name as service',
            'p.name as supplier',
            'c.period',
            'c.due_kop',
            'c.penalty_kop',
            'c.paid_kop',
            'c.paid_penalty_kop',
            'c.charge_kop',
          ])
          .where('c.account_number', '=', number)
          .orderBy('c.period', 'desc')
          .orderBy('s.name')
          .execute(),
        db
          .selectFrom('meters as m')
          .innerJoin('services as s', 's.code', 'm.service_code')
          .select(['m.id', 'm.serial', 's.name as service', 'm.last_value_milli', 'm.last_date', 'm.verification_due', 'm.active'])
          .where('m.account_number', '=', number)
          .orderBy('s.name')
          .execute(),
        db
          .selectFrom('readings')
          .select(['op_id', 'meter_serial', 'service_code', 'value', 'read_at', 'period', 'submitted_at', 'review', 'findings'])
          .where('account_number', '=', number)
          .orderBy('submitted_at', 'desc')
          .limit(20)
          .execute(),
        db
          .selectFrom('payments as p')
          .innerJoin('desks as d', 'd.id', 'p.desk_id')
          .select(['p.op_id', 'p.number', 'p.accepted_at', 'p.total_kop', 'p.commission_kop', 'p.method', 'p.state', 'd.name as desk'])
          .where('p.account_number', '=', number)
          .orderBy('p.accepted_at', 'desc')
          .limit(20)
          .execute(),
      ]);
      const debts = charges.map((c) => ({
        serviceCode: c.service_code,
        service: c.service,
        supplier: c.supplier,
        period: c.period,
        dueKop: Number(c.due_kop),
        penaltyKop: Number(c.penalty_kop),
        paidKop: Number(c.paid_kop),
        debtKop: Math.max(Number(c.due_kop) - Number(c.paid_kop), 0) + Math.max(Number(c.penalty_kop) - Number(c.paid_penalty_kop), 0),
      }));
      return {
        account: {
          number: account.number,
          els: account.els,
          address: [
            account.city,
            account.street && `ул. ${account.street}`,
            account.house && `д. ${account.house}`,
            account.building && `корп. ${account.building}`,
            account.flat && `кв. ${account.flat}`,
          ]
            .filter(Boolean)
            .join(', '),
          ownerName: account.owner_name,
          status: account.status,
        },
        debts,
        totalDebtKop: debts.reduce((s, d) => s + d.debtKop, 0),
        meters: meters.map((m) => ({
          id: m.id,
          serial: m.serial,
          service: m.service,
          lastValue: milliToText(m.last_value_milli === null ? null : Number(m.last_value_milli)),
          lastDate: m.last_date,
          verificationDue: m.verification_due,
          active: m.active,
        })),
        readings: readings.map((x) => ({
          opId: x.op_id,
          meterSerial: x.meter_serial,
          serviceCode: x.service_code,
          value: x.value,
          readAt: x.read_at,
          period: x.period,
          submittedAt: x.submitted_at.toISOString(),
          review: x.review,
          findings: x.findings,
        })),
        payments: payments.map((p) => ({
          opId: p.op_id,
          number: p.number,
          acceptedAt: p.accepted_at.toISOString(),
          totalKop: Number(p.total_kop),
          commissionKop: Number(p.commission_kop),
          method: p.method,
          state: p.state,
          desk: p.desk,
        })),
      };
    },
  );
}
