/** Finding the payer's account and its debts in the desk's replica (works offline). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, accountDetailsView, accountSearchAnswer, accountSearchQuery } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';

export function accountRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Лицевые счета'];
  r.get(
    '/api/accounts',
    {
      schema: {
        tags,
        summary: 'Поиск: номер, ЕЛС, адрес («ленина 10 5»), ФИО',
        querystring: accountSearchQuery,
        response: { 200: accountSearchAnswer },
      },
    },
    async (req) => {
      requireCashier(req);
      return deps.accounts.searchWithTotal(req.query.q, req.query.limit);
    },
  );
  r.get(
    '/api/accounts/:number',
    {
      schema: {
        tags,
        summary: 'Счёт: долги по услугам и периодам, пени, счётчики, последние платежи',
        params: z.object({ number: z.string().min(1).max(30) }),
        response: { 200: accountDetailsView },
      },
    },
    async (req) => {
      requireCashier(req);
      const a = deps.accounts.details(req.params.number);
      if (!a) throw new AppError('payment.account_not_found', `Лицевой счёт ${req.params.number} не найден`);
      return a;
    },
  );
}
