/** Taking a payment: billing, a provider (third party) or a service of the price list. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { paymentQuoteView, paymentRequest, priceItemView } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { acceptPayment } from './accept.ts';
import { paymentDetail, printReceiptCopy } from './payment-detail.ts';
import { activePriceItems } from './price-list.ts';
import { quotePayment } from './quote.ts';

export function paymentRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Платежи'];
  r.post(
    '/api/payments',
    { schema: { tags, summary: 'Принять платёж: биллинг, третьи лица или услуга из прейскуранта', body: paymentRequest } },
    async (req, reply) => {
      const view = await acceptPayment(deps, requireCashier(req), req.body);
      return reply.code(201).send(view);
    },
  );
  r.post(
    '/api/payments/quote',
    {
      schema: {
        tags,
        summary: 'Что получится: строки, комиссия, итог, сдача — без приёма',
        body: paymentRequest,
        response: { 200: paymentQuoteView },
      },
    },
    async (req) => quotePayment(deps, requireCashier(req), req.body),
  );
  r.get(
    '/api/payments/:id',
    { schema: { tags, summary: 'Платёж: состояние, чек, отправка, передача поставщику', params: z.object({ id: z.uuid() }) } },
    async (req) => {
      requireCashier(req);
      return paymentDetail(deps, req.params.id);
    },
  );
  r.post(
    '/api/payments/:id/copy',
    {
      schema: {
        tags,
        summary: 'Копия чека платежа из фискального накопителя (тот же документ, не новый)',
        params: z.object({ id: z.uuid() }),
      },
    },
    async (req) => {
      requireCashier(req);
      return printReceiptCopy(deps, req.params.id);
    },
  );
  r.get(
    '/api/price-items',
    { schema: { tags: ['Прейскурант'], summary: 'Услуги пункта', response: { 200: z.object({ items: z.array(priceItemView) }) } } },
    async (req) => {
      requireCashier(req);
      return { items: activePriceItems(deps.db) };
    },
  );
}
