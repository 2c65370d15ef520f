/** Sign-in for the back office, and the management of people. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, loginAnswer, loginRequest, meAnswer, okAnswer } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { ADMIN, DESK, requireDesk, requireUser } from '../../http/auth.ts';
import { answers } from '../../http/openapi.ts';
import { lockStamping, nextVersion } from '../../db/versioning.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { addUser, checkLogin, login, logout, setPassword } from './users.ts';

const roleSchema = z.enum(['cashier', 'senior_cashier', 'admin', 'integrator']);

export function authRoutes(app: FastifyInstance, db: Database, options: { sessionHours: number; now?: () => Date }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // A desk asking about an administrator whose password hash desks are not given (docs/security.md).
  r.post(
    '/api/v1/desks/check-admin',
    {
      schema: {
        tags: ['Вход'],
        summary: 'Касса проверяет пароль администратора без пункта (его хеш на кассы не передаётся)',
        body: loginRequest,
      },
      config: { auth: DESK, rateLimit: { max: 20, timeWindow: '1 minute' } },
    },
    async (req) => {
      const desk = requireDesk(req.principal);
      const user = await checkLogin(db, req.body.login, req.body.password);
      if (user.role !== 'admin') throw new AppError('auth.forbidden', 'Так проверяется только администратор');
      await appendAudit(db, { actorType: 'desk', actorId: desk.deskId, action: 'auth.desk_admin', target: user.id });
      return user;
    },
  );

  r.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['Вход'],
        summary: 'Вход по логину и паролю: токен сеанса, когда он истечёт и кто вошёл',
        body: loginRequest,
        response: answers(
          { 200: loginAnswer },
          ['validation.failed', 'request.malformed', 'auth.invalid_credentials', 'auth.user_locked', 'auth.rate_limited'],
          { public: true },
        ),
      },
      config: { auth: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
    },
    async (req) => login(db, req.body.login, req.body.password, options.sessionHours, options.now?.() ?? new Date()),
  );

  r.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['Вход'],
        summary: 'Завершить сеанс (не для API-ключей: ключ отзывает администратор)',
        response: answers({ 200: okAnswer }),
      },
      config: { auth: { roles: ['admin', 'senior_cashier', 'cashier', 'integrator'], sessionOnly: true } },
    },
    async (req) => {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (token) await logout(db, token);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/auth/me',
    {
      schema: { tags: ['Вход'], summary: 'Кто я (сеанс)', response: answers({ 200: meAnswer }) },
      config: { auth: { roles: ['admin', 'senior_cashier', 'cashier', 'integrator'], sessionOnly: true } },
    },
    async (req) => {
      const u = requireUser(req.principal);
      return { id: u.userId, login: u.login, name: u.name, role: u.role };
    },
  );

  r.get('/api/v1/users', { schema: { tags: ['Пользователи'], summary: 'Пользователи' }, config: { auth: ADMIN } }, async () => {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'login', 'name', 'role', 'inn', 'point_id', 'active', 'locked_until', 'failed_logins', 'created_at'])
      .orderBy('login')
      .execute();
    return {
      items: rows.map((u) => ({
        id: u.id,
        login: u.login,
        name: u.name,
        role: u.role,
        inn: u.inn,
        pointId: u.point_id,
        active: u.active,
        lockedUntil: u.locked_until?.toISOString() ?? null,
        failedLogins: u.failed_logins,
        createdAt: u.created_at.toISOString(),
      })),
    };
  });

  r.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['Пользователи'],
        summary: 'Добавить пользователя',
        body: z.object({
          login: z
            .string()
            .trim()
            .regex(/^[a-zA-Z0-9_.-]{2,64}$/, 'логин: латиница, цифры, _ . -'),
          name: z.string().trim().min(1).max(200),
          role: roleSchema,
          password: z.string().min(1).max(200).describe('не короче 8 символов и не из частых паролей'),
          inn: z
            .string()
            .regex(/^\d{12}$/)
            .nullable()
            .optional(),
          pointId: z.uuid().nullable().optional(),
        }),
      },
      config: { auth: ADMIN },
    },
    async (req, reply) => {
      const admin = requireUser(req.principal);
      const id = await addUser(
        db,
        {
          login: req.body.login,
          name: req.body.name,
          role: req.body.role,
          password: req.body.password,
          inn: req.body.inn ?? null,
          pointId: req.body.pointId ?? null,
        },
        { type: 'user', id: admin.userId },
      );
      return reply.code(201).send({ id });
    },
  );

  r.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['Пользователи'],
        summary: 'Изменить, заблокировать или разблокировать пользователя',
        params: z.object({ id: z.uuid() }),
        body: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          role: roleSchema.optional(),
          active: z.boolean().optional(),
          pointId: z.uuid().nullable().optional(),
          inn: z
            .string()
            .regex(/^\d{12}$/)
            .nullable()
            .optional(),
        }),
      },
      config: { auth: ADMIN },
    },
    async (req) => {
      const admin = requireUser(req.principal);
      const changes: Record<string, unknown> = {};
      if (req.body.name !== undefined) changes['name'] = req.body.name;
      if (req.body.role !== undefined) changes['role'] = req.body.role;
      if (req.body.active !== undefined) changes['active'] = req.body.active;
      if (req.body.pointId !== undefined) changes['point_id'] = req.body.pointId;
      if (req.body.inn !== undefined) changes['inn'] = req.body.inn;
      if (Object.keys(changes).length === 0) throw new AppError('validation.failed', 'Нечего менять');
      if (req.params.id === admin.userId && (req.body.active === false || (req.body.role && req.body.role !== 'admin'))) {
        throw new AppError('conflict', 'Нельзя заблокировать себя или снять с себя роль администратора');
      }
      await db.transaction().execute(async (trx) => {
        await lockStamping(trx);
        const res = await trx
          .updateTable('users')
          .set({ ...changes, version: nextVersion() })
          .where('id', '=', req.params.id)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) throw new AppError('not_found', 'Пользователь не найден');
        if (req.body.active === false)
          await trx
            .updateTable('sessions')
            .set({ revoked_at: new Date() })
            .where('user_id', '=', req.params.id)
            .where('revoked_at', 'is', null)
            .execute();
        await appendAudit(trx, {
          actorType: 'user',
          actorId: admin.userId,
          action: 'user.update',
          target: req.params.id,
          details: changes,
        });
      });
      return { ok: true };
    },
  );

  r.post(
    '/api/v1/users/:id/password',
    {
      schema: {
        tags: ['Пользователи'],
        summary: 'Задать новый пароль',
        params: z.object({ id: z.uuid() }),
        body: z.object({ password: z.string().min(1).max(200).describe('не короче 8 символов и не из частых паролей') }),
      },
      config: { auth: ADMIN },
    },
    async (req) => {
      const admin = requireUser(req.principal);
      await setPassword(db, req.params.id, req.body.password, { type: 'user', id: admin.userId });
      return { ok: true };
    },
  );
}
