/** The provider side for desks (online account check) and for the back office (reconciliation). */
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, FORWARDING_STATES, forwardingList, providerCheckRequest, reconcileReport } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { DESK, integration, requireDesk, requireUser } from '../../http/auth.ts';
import { answers, fileBody } from '../../http/openapi.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { osmpCheck } from './osmp-client.ts';
import { reconcileProvider } from './reconcile.ts';
import { holdForRefund, releaseHold } from './holds.ts';

export function providerRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/providers/check',
    {
      schema: { tags: ['Третьи лица'], summary: 'Онлайн-проверка счёта у поставщика (ОСМП check)', body: providerCheckRequest },
      config: { auth: DESK },
    },
    async (req) => {
      const p = await db
        .selectFrom('providers')
        .select(['code', 'channel', 'osmp_url', 'osmp_user', 'osmp_password', 'timeout_ms', 'active'])
        .where('code', '=', req.body.providerCode)
        .executeTakeFirst();
      if (!p || !p.active) throw new AppError('not_found', 'Поставщик не найден или отключён');
      if (p.channel !== 'osmp' || !p.osmp_url)
        throw new AppError('payment.provider_check_failed', 'Этот поставщик не проверяет счета онлайн');
      const answer = await osmpCheck(
        { url: p.osmp_url, user: p.osmp_user, password: p.osmp_password, timeoutMs: Math.min(p.timeout_ms, 15_000) },
        req.body.account,
        req.body.amountKop ?? 0,
      );
      if (answer.result === null) throw new AppError('unavailable', `Поставщик не ответил на проверку: ${answer.comment}`);
      return {
        result: answer.result,
        comment: answer.comment,
        ...(answer.subscriberName ? { subscriberName: answer.subscriberName } : {}),
        ...(answer.balanceKop !== undefined ? { balanceKop: answer.balanceKop } : {}),
      };
    },
  );

  const hold = { params: z.object({ opId: z.uuid() }), body: z.object({ holdId: z.uuid() }) };
  r.post(
    '/api/v1/forwardings/:opId/hold',
    {
      schema: {
        tags: ['Третьи лица'],
        summary: 'Перед возвратом: не сторнирован ли платёж; платёж третьим лицам — снять с передачи поставщику (касса)',
        ...hold,
      },
      config: { auth: DESK },
    },
    async (req) => holdForRefund(db, requireDesk(req.principal).deskId, req.params.opId, req.body.holdId),
  );
  r.post(
    '/api/v1/forwardings/:opId/release',
    {
      schema: { tags: ['Третьи лица'], summary: 'Вернуть платёж в передачу: возврат не состоялся (касса)', ...hold },
      config: { auth: DESK },
    },
    async (req) => releaseHold(db, requireDesk(req.principal).deskId, req.params.opId, req.body.holdId),
  );

  r.post(
    '/api/v1/providers/:code/reconcile',
    {
      schema: {
        tags: ['Третьи лица'],
        summary: 'Сверка с реестром поставщика (txn_id;prv_txn;account;sum;txn_date)',
        params: z.object({ code: z.string().max(32) }),
        consumes: ['text/csv', 'text/plain'],
        body: fileBody(
          'Реестр поставщика: заголовок txn_id;prv_txn;account;sum;txn_date, сумма в рублях с точкой, дата ГГГГММДДччммсс, UTF-8',
          'txn_id;prv_txn;account;sum;txn_date\n7213395718452345678;88120031;9161112233;300.00;20261128143005\n',
        ),
        response: answers({ 200: reconcileReport }, [
          'validation.failed',
          'request.malformed',
          'request.too_large',
          'request.unsupported_media_type',
          'not_found',
        ]),
      },
      config: { auth: integration('reconcile') },
      bodyLimit: 256 * 1024 * 1024,
    },
    async (req) => {
      const user = requireUser(req.principal);
      const body = req.body as Readable | string | undefined;
      let text: string;
      if (typeof body === 'string') text = body;
      else if (body && typeof body.pipe === 'function') {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c as Buffer);
        text = Buffer.concat(chunks).toString('utf8');
      } else throw new AppError('request.unsupported_media_type', 'Реестр передаётся как text/csv');
      const report = await reconcileProvider(db, req.params.code, text);
      await appendAudit(db, {
        actorType: 'user',
        actorId: user.userId,
        action: 'provider.reconcile',
        target: req.params.code,
        details: { ...report },
      });
      return report;
    },
  );

  r.get(
    '/api/v1/forwardings',
    {
      schema: {
        tags: ['Третьи лица'],
        summary: 'Передача платежей поставщикам',
        querystring: z.object({
          state: z.enum(FORWARDING_STATES).optional(),
          provider: z.string().max(32).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: answers({ 200: forwardingList }, ['validation.failed']),
      },
      config: { auth: { roles: ['admin', 'senior_cashier', 'integrator'], scope: 'reconcile' } },
    },
    async (req) => {
      let q = db
        .selectFrom('forwardings')
        .select([
          'op_id',
          'provider_code',
          'account',
          'amount_kop',
          'txn_id',
          'state',
          'prv_txn',
          'result_code',
          'comment',
          'attempts',
          'updated_at',
          'next_attempt_at',
        ]);
      if (req.query.state) q = q.where('state', '=', req.query.state);
      if (req.query.provider) q = q.where('provider_code', '=', req.query.provider);
      const rows = await q.orderBy('updated_at', 'desc').limit(req.query.limit).execute();
      return {
        items: rows.map((f) => ({
          opId: f.op_id,
          provider: f.provider_code,
          account: f.account,
          amountKop: f.amount_kop,
          txnId: f.txn_id,
          state: f.state,
          prvTxn: f.prv_txn,
          code: f.result_code,
          comment: f.comment,
          attempts: f.attempts,
          updatedAt: f.updated_at.toISOString(),
          nextAttemptAt: f.next_attempt_at.toISOString(),
        })),
      };
    },
  );
}
