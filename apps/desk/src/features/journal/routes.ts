/** The desk's journal: the shift's operations, search by number, account, time, state. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { journalQuery, queryJournal, rejectedOps } from './journal-query.ts';

export function journalRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/payments',
    { schema: { tags: ['Журнал'], summary: 'Журнал операций кассы с фильтрами', querystring: journalQuery } },
    async (req) => {
      requireCashier(req);
      return queryJournal(deps, req.query);
    },
  );
  r.get('/api/sync/rejected', { schema: { tags: ['Журнал'], summary: 'Операции, которые сервер не принял' } }, async (req) => {
    requireCashier(req);
    return { items: rejectedOps(deps) };
  });
}
