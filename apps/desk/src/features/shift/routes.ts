/** The cashier's shift: opening with a float, closing with the Z report, cash in and out, the count. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { cashCountRequest, cashMoveRequest, shiftCloseRequest, shiftOpenRequest } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { countCash } from './cash-count.ts';
import { cashMove, closeShift, openShift } from './shift.ts';

export function shiftRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Смена'];
  r.post('/api/shift/open', { schema: { tags, summary: 'Открыть смену (с разменом)', body: shiftOpenRequest } }, async (req) =>
    openShift(deps, requireCashier(req), req.body),
  );
  r.post('/api/shift/close', { schema: { tags, summary: 'Закрыть смену (Z-отчёт)', body: shiftCloseRequest } }, async (req) =>
    closeShift(deps, requireCashier(req), req.body),
  );
  r.post('/api/cash/in', { schema: { tags, summary: 'Внесение (подкрепление)', body: cashMoveRequest } }, async (req) =>
    cashMove(deps, requireCashier(req), 'cash_in', req.body),
  );
  r.post('/api/cash/out', { schema: { tags, summary: 'Выплата (инкассация)', body: cashMoveRequest } }, async (req) =>
    cashMove(deps, requireCashier(req), 'cash_out', req.body),
  );
  r.post('/api/cash/count', { schema: { tags, summary: 'Пересчёт наличных: разница с ожидаемым', body: cashCountRequest } }, async (req) =>
    countCash(deps, requireCashier(req), req.body),
  );
}
