/** Paying a provider (third party): the list, a quote, and an account check at the provider through the server. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeProviderAccount } from '@paydesk/domain';
import { AppError, ERROR_CODES, providerView, type ErrorCode } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { quoteThirdParty } from '../payments/prepare.ts';
import { activeProviders, providerOf } from './provider-store.ts';
import { ServerAnswer } from '../sync/server-client.ts';

const MAX_KOP = 1_000_000_000_000;

export function providerRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Третьи лица'];
  r.get(
    '/api/providers',
    {
      schema: {
        tags,
        summary: 'Поставщики третьих лиц: счёт, маска, пример, лимиты, комиссия',
        response: { 200: z.object({ items: z.array(providerView) }) },
      },
    },
    async (req) => {
      requireCashier(req);
      return { items: activeProviders(deps.db) };
    },
  );
  r.post(
    '/api/providers/quote',
    {
      schema: {
        tags,
        summary: 'Комиссия и итог до приёма платежа',
        body: z.object({
          providerCode: z.string().max(32),
          account: z.string().min(1).max(64),
          amountKop: z.number().int().min(1).max(MAX_KOP),
        }),
      },
    },
    async (req) => {
      requireCashier(req);
      const q = quoteThirdParty(deps, req.body);
      return {
        providerCode: q.provider.code,
        account: q.account,
        principalKop: q.principalKop,
        commissionKop: q.commissionKop,
        totalKop: q.totalKop,
      };
    },
  );
  r.post(
    '/api/providers/check',
    {
      schema: {
        tags,
        summary: 'Онлайн-проверка счёта у поставщика (через сервер)',
        body: z.object({
          providerCode: z.string().max(32),
          account: z.string().min(1).max(64),
          amountKop: z.number().int().min(0).max(MAX_KOP).default(0),
        }),
      },
    },
    async (req) => {
      requireCashier(req);
      const provider = providerOf(deps.db, req.body.providerCode);
      if (!provider) throw new AppError('not_found', 'Поставщик не найден');
      // No link, no check: a problem like any other refusal (server.unreachable), which the screen shows.
      if (!deps.sync.state.online) throw new AppError('server.unreachable', 'Нет связи с сервером: проверка у поставщика невозможна');
      try {
        return await deps.client.providerCheck(
          provider.code,
          normalizeProviderAccount(provider.normalize, req.body.account),
          req.body.amountKop,
        );
      } catch (e) {
        // The server's refusal keeps its code and words; anything else is the link.
        if (e instanceof ServerAnswer && e.code !== null && ERROR_CODES.includes(e.code as ErrorCode)) {
          throw new AppError(e.code as ErrorCode, typeof e.body['detail'] === 'string' ? e.body['detail'] : undefined);
        }
        throw new AppError('server.unreachable', `Проверка у поставщика не удалась: ${(e as Error).message}`);
      }
    },
  );
}
