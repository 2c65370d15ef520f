/** Desks in the back office, and the enrollment a new desk calls once. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, deskList, enrollRequest } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { ADMIN, BACK_OFFICE, READ, requireUser } from '../../http/auth.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { answers } from '../../http/openapi.ts';
import { createDesk, enrollDesk, reissueEnrollment, revokeDesk } from './desks.ts';

const deskParams = z.object({ id: z.uuid() });

/** A desk counts as online when it was heard from within this long (three pull intervals). */
/** A desk probes the server every few seconds; silence longer than this shows it offline. */
export const ONLINE_WINDOW_MS = 90_000;

export function deskRoutes(
  app: FastifyInstance,
  db: Database,
  options: { enrollmentHours: number; onlineWindowMs?: number | undefined },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/desks/enroll',
    {
      schema: { tags: ['Кассы'], summary: 'Регистрация кассы по одноразовому коду', body: enrollRequest },
      config: { auth: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (req) => enrollDesk(db, req.body.enrollmentCode, req.body.epoch),
  );

  r.get(
    '/api/v1/desks',
    {
      schema: {
        tags: ['Кассы'],
        summary: 'Кассы с их пунктами; бэк-офису — и с их состоянием',
        querystring: z.object({ point: z.uuid().optional() }),
        response: answers({ 200: deskList }, ['validation.failed']),
      },
      config: { auth: READ },
    },
    async (req) => {
      const desks = await listDesks(db, { point: req.query.point, onlineWindowMs: options.onlineWindowMs });
      const p = req.principal;
      // An integrator resolves the feed's desk and point ids: names and points, not the desk's state.
      if (p.kind === 'user' && p.role === 'integrator')
        return {
          items: desks.map((d) => ({
            id: d.id,
            name: d.name,
            pointId: d.pointId,
            pointCode: d.pointCode,
            pointName: d.pointName,
            enrolled: d.enrolled,
            revoked: d.revoked,
          })),
        };
      return { items: desks };
    },
  );

  r.post(
    '/api/v1/desks',
    {
      schema: {
        tags: ['Кассы'],
        summary: 'Создать кассу и получить одноразовый код регистрации',
        body: z.object({ name: z.string().trim().min(1).max(100), pointId: z.uuid().optional(), pointCode: z.string().max(32).optional() }),
      },
      config: { auth: ADMIN },
    },
    async (req, reply) => {
      const user = requireUser(req.principal);
      const created = await createDesk(
        db,
        {
          name: req.body.name,
          ...(req.body.pointId ? { pointId: req.body.pointId } : {}),
          ...(req.body.pointCode ? { pointCode: req.body.pointCode } : {}),
        },
        { type: 'user', id: user.userId },
        options.enrollmentHours,
      );
      return reply.code(201).send(created);
    },
  );

  r.patch(
    '/api/v1/desks/:id',
    {
      schema: {
        tags: ['Кассы'],
        summary: 'Переименовать кассу или перенести в другой пункт',
        params: deskParams,
        body: z.object({ name: z.string().trim().min(1).max(100).optional(), pointId: z.uuid().optional() }),
      },
      config: { auth: ADMIN },
    },
    async (req) => {
      const user = requireUser(req.principal);
      const changes: { name?: string; point_id?: string } = {};
      if (req.body.name) changes.name = req.body.name;
      if (req.body.pointId) {
        const point = await db.selectFrom('points').select('id').where('id', '=', req.body.pointId).executeTakeFirst();
        if (!point) throw new AppError('validation.failed', 'Пункт не найден');
        changes.point_id = req.body.pointId;
      }
      if (Object.keys(changes).length === 0) throw new AppError('validation.failed', 'Нечего менять');
      const res = await db.updateTable('desks').set(changes).where('id', '=', req.params.id).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new AppError('not_found', 'Касса не найдена');
      await appendAudit(db, { actorType: 'user', actorId: user.userId, action: 'desk.update', target: req.params.id, details: changes });
      return { ok: true };
    },
  );

  r.post(
    '/api/v1/desks/:id/revoke',
    { schema: { tags: ['Кассы'], summary: 'Отозвать ключ кассы', params: deskParams }, config: { auth: ADMIN } },
    async (req) => {
      const user = requireUser(req.principal);
      await revokeDesk(db, req.params.id, { type: 'user', id: user.userId });
      return { ok: true };
    },
  );

  r.post(
    '/api/v1/desks/:id/enrollment',
    { schema: { tags: ['Кассы'], summary: 'Новый код регистрации (переустановка кассы)', params: deskParams }, config: { auth: ADMIN } },
    async (req, reply) => {
      const user = requireUser(req.principal);
      return reply.code(201).send(await reissueEnrollment(db, req.params.id, { type: 'user', id: user.userId }, options.enrollmentHours));
    },
  );

  r.get(
    '/api/v1/desks/:id/history',
    {
      schema: {
        tags: ['Кассы'],
        summary: 'История синхронизации кассы: последние операции и отказы',
        params: deskParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          outcome: z.enum(['applied', 'applied_with_review', 'rejected']).optional(),
        }),
      },
      config: { auth: BACK_OFFICE },
    },
    async (req) => {
      let q = db
        .selectFrom('ops')
        .select(['seq', 'epoch', 'op_id', 'type', 'outcome', 'code', 'message', 'received_at'])
        .where('desk_id', '=', req.params.id);
      if (req.query.outcome) q = q.where('outcome', '=', req.query.outcome);
      const rows = await q.orderBy('received_at', 'desc').orderBy('seq', 'desc').limit(req.query.limit).execute();
      return {
        items: rows.map((o) => ({
          seq: o.seq,
          epoch: o.epoch,
          opId: o.op_id,
          type: o.type,
          outcome: o.outcome,
          code: o.code,
          message: o.message,
          receivedAt: o.received_at.toISOString(),
        })),
      };
    },
  );
}

export interface DeskView {
  id: string;
  name: string;
  pointId: string;
  pointCode: string;
  pointName: string;
  epoch: number;
  lastSeq: number;
  enrolled: boolean;
  revoked: boolean;
  enrollmentPending: boolean;
  lastSeenAt: string | null;
  lastPushAt: string | null;
  online: boolean;
  status: unknown;
  statusAt: string | null;
  protocolVersion: number | null;
}

/** Every desk with its point, enrollment, last contact and the status it last reported. */
export async function listDesks(
  db: Database,
  options: { point?: string | undefined; onlineWindowMs?: number | undefined } = {},
): Promise<DeskView[]> {
  const { point } = options;
  const window = options.onlineWindowMs ?? ONLINE_WINDOW_MS;
  let q = db
    .selectFrom('desks')
    .innerJoin('points', 'points.id', 'desks.point_id')
    .select([
      'desks.id',
      'desks.name',
      'desks.point_id',
      'points.code as point_code',
      'points.name as point_name',
      'desks.epoch',
      'desks.last_seq',
      'desks.revoked_at',
      'desks.last_seen_at',
      'desks.last_push_at',
      'desks.status',
      'desks.status_at',
      'desks.key_hash',
      'desks.enrollment_expires_at',
      'desks.protocol_version',
    ]);
  if (point) q = q.where('desks.point_id', '=', point);
  const rows = await q.orderBy('points.code').orderBy('desks.name').execute();
  const now = Date.now();
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    pointId: d.point_id,
    pointCode: d.point_code,
    pointName: d.point_name,
    epoch: d.epoch,
    lastSeq: d.last_seq,
    enrolled: d.key_hash !== null,
    revoked: d.revoked_at !== null,
    enrollmentPending: d.enrollment_expires_at !== null && d.enrollment_expires_at.getTime() > now,
    lastSeenAt: d.last_seen_at?.toISOString() ?? null,
    lastPushAt: d.last_push_at?.toISOString() ?? null,
    online: d.revoked_at === null && d.last_seen_at !== null && now - d.last_seen_at.getTime() < window,
    status: d.status,
    statusAt: d.status_at?.toISOString() ?? null,
    protocolVersion: d.protocol_version,
  }));
}
