/** The fiscal register from the desk: status, reports, reprints, and operations whose outcome it did not tell. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { settleRequest } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { printUnprinted, registerAction, xReport } from './register-actions.ts';
import { settleByHand } from './settle-by-hand.ts';

const ACTIONS = {
  'cancel-receipt': 'Аннулировать открытый чек',
  'reprint-last': 'Повторить последний документ',
  cut: 'Отрезать чек',
} as const;

export function registerRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['ККТ'];
  r.post('/api/register/x-report', { schema: { tags, summary: 'X-отчёт' } }, async (req) => ({
    totals: await xReport(deps, requireCashier(req)),
  }));
  r.post('/api/register/continue-print', { schema: { tags, summary: 'Допечатать все чеки, пробитые без бумаги' } }, async (req) => {
    requireCashier(req);
    return { ok: true, ...(await printUnprinted(deps)) };
  });
  r.post(
    '/api/register/settle',
    { schema: { tags, summary: 'Сверить вручную операцию, исход которой ККТ не сообщает (старший кассир)', body: settleRequest } },
    async (req) => settleByHand(deps, requireCashier(req), req.body),
  );
  r.get('/api/register/unresolved', { schema: { tags, summary: 'Несверенные и ненапечатанные операции' } }, async (req) => {
    requireCashier(req);
    const view = (o: ReturnType<typeof deps.runner.unresolved>[number]) => ({
      opId: o.op_id,
      kind: o.kind,
      number: o.number,
      totalKop: o.total_kop,
      createdAt: o.created_at,
      reason: o.unknown_reason,
    });
    return { unresolved: deps.runner.unresolved().map(view), unprinted: deps.runner.unprinted().map(view) };
  });
  for (const [action, summary] of Object.entries(ACTIONS) as [keyof typeof ACTIONS, string][]) {
    r.post(`/api/register/${action}`, { schema: { tags, summary } }, async (req) => {
      requireCashier(req);
      await registerAction(deps, action);
      return { ok: true };
    });
  }
  r.get('/api/register/status', { schema: { tags, summary: 'Состояние ККТ' } }, async (req) => {
    requireCashier(req);
    return (await deps.registerStatus.refresh()) ?? { connected: false };
  });
  r.post('/api/register/reconcile', { schema: { tags, summary: 'Сверить незавершённые операции с ККТ' } }, async (req) => {
    requireCashier(req);
    return deps.runner.reconcilePending();
  });
  r.get(
    '/api/register/tape',
    {
      schema: {
        tags,
        summary: 'Лента виртуальной ККТ',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
      },
    },
    async (req) => {
      requireCashier(req);
      return { items: deps.register.virtual?.documents({ limit: req.query.limit }) ?? [] };
    },
  );
}
