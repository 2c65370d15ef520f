/** The desk's state for the status bar and monitoring, and the event stream that keeps the UI current. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../deps.ts';
import { issueTicket, PUBLIC, requireCashier, sessionToken } from '../../http/auth.ts';
import { deskStatus } from './status.ts';

export function statusRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Состояние'];
  r.get('/api/status', { ...PUBLIC, schema: { tags, summary: 'Связь, неотправленные операции, смена, ККТ' } }, async () =>
    deskStatus(deps),
  );
  // The browser's EventSource sends no headers: the session asks for a ticket, the stream opens with it.
  r.post('/api/events/ticket', { schema: { tags, summary: 'Одноразовый билет для потока событий (на 30 с)' } }, async (req) => {
    requireCashier(req);
    return { ticket: issueTicket(sessionToken(req) as string, deps.clock()) };
  });
  r.get(
    '/api/events',
    {
      schema: {
        tags,
        summary: 'События (SSE): связь, очередь, отказы сервера, ККТ',
        querystring: z.object({ ticket: z.string().max(64).optional() }),
      },
    },
    async (req, reply) => {
      requireCashier(req);
      deps.events.attach(reply);
      deps.events.publish({ type: 'status', data: deskStatus(deps) });
      return reply;
    },
  );
}
