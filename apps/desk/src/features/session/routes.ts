/** Signing in and out at the desk: works without a link to the server. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cashierView, sessionRequest } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { PUBLIC, requireCashier, sessionToken } from '../../http/auth.ts';
import { closeSession, openSession } from './session.ts';

export function sessionRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Вход'];
  r.post(
    '/api/session',
    {
      ...PUBLIC,
      schema: {
        tags,
        summary: 'Вход кассира (работает без связи)',
        body: sessionRequest,
        response: { 200: z.object({ token: z.string(), cashier: cashierView }) },
      },
    },
    async (req) => openSession(deps.db, req.body.login, req.body.password, deps.clock(), (l, p) => deps.client.checkAdmin(l, p)),
  );
  r.delete('/api/session', { ...PUBLIC, schema: { tags, summary: 'Выход' } }, async (req) => {
    const t = sessionToken(req);
    if (t) closeSession(deps.db, t);
    return { ok: true };
  });
  r.get(
    '/api/session',
    { schema: { tags, summary: 'Текущий кассир', response: { 200: z.object({ cashier: cashierView }) } } },
    async (req) => ({ cashier: requireCashier(req) }),
  );
}
