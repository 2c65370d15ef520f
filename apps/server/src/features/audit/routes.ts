/** The audit log, readable by administrators, and its chain check. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { ADMIN } from '../../http/auth.ts';
import { auditHead, verifyAudit } from './audit-log.ts';

export function auditRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['Аудит'],
        summary: 'Журнал аудита',
        querystring: z.object({
          action: z.string().max(64).optional(),
          actor: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          before: z.coerce.number().int().min(1).optional(),
        }),
      },
      config: { auth: ADMIN },
    },
    async (req) => {
      let q = db
        .selectFrom('audit_log')
        .leftJoin('users', (j) => j.on((eb) => eb(eb.cast('users.id', 'text'), '=', eb.ref('audit_log.actor_id'))))
        .leftJoin('desks', (j) => j.on((eb) => eb(eb.cast('desks.id', 'text'), '=', eb.ref('audit_log.actor_id'))))
        .leftJoin('api_keys', (j) => j.on((eb) => eb(eb.cast('api_keys.id', 'text'), '=', eb.ref('audit_log.actor_id'))));
      if (req.query.action) q = q.where('audit_log.action', 'like', `${req.query.action}%`);
      if (req.query.actor) q = q.where('audit_log.actor_id', '=', req.query.actor);
      if (req.query.before) q = q.where('audit_log.id', '<', req.query.before);
      const rows = await q
        .selectAll('audit_log')
        .select(['users.login as user_login', 'desks.name as desk_name', 'api_keys.name as key_name'])
        .orderBy('audit_log.id', 'desc')
        .limit(req.query.limit)
        .execute();
      return {
        items: rows.map((a) => ({
          id: a.id,
          at: a.at.toISOString(),
          actorType: a.actor_type,
          actorId: a.actor_id,
          actorName: a.user_login ?? a.desk_name ?? (a.key_name !== null ? `API-ключ «${a.key_name}»` : null),
          action: a.action,
          target: a.target,
          details: a.details,
        })),
      };
    },
  );
  r.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags: ['Аудит'],
        summary: 'Проверить цепочку журнала аудита (с head=<номер>:<хеш> — и что её конец не удалён)',
        querystring: z.object({
          head: z
            .string()
            .regex(/^\d+:[0-9a-f]{64}$/, 'head: номер записи и хеш через двоеточие')
            .optional(),
        }),
      },
      config: { auth: ADMIN },
    },
    async (req) => {
      const [id, hash] = req.query.head?.split(':') ?? [];
      return { ...(await verifyAudit(db, id && hash ? { id: Number(id), hash } : null)), head: await auditHead(db) };
    },
  );
}
