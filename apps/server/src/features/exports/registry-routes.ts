/** Registries beside the day's payments: the transfer that paid a supplier's day, the readings registry. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { integration, requireUser } from '../../http/auth.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { recordTransfer } from './registry.ts';
import { buildReadingsRegistry, csvReadingsRegistry } from './readings-registry.ts';

const inn = z.string().regex(/^(\d{10}|\d{12})$/, 'ИНН: 10 или 12 цифр');

export function registryRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.put('/api/v1/registries/transfers', {
    schema: {
      tags: ['Выгрузки'], summary: 'Платёжное поручение, которым перечислены деньги поставщику за день: реестры дня показывают его номер и дату',
      body: z.object({ supplierInn: inn, date: z.iso.date(), orderNumber: z.string().trim().min(1).max(32), orderDate: z.iso.date(), amountKop: z.number().int().min(0).max(1_000_000_000_000) }),
    },
    config: { auth: integration('registries') },
  }, async (req) => {
    const user = requireUser(req.principal);
    const transfer = await recordTransfer(db, req.body, user.login);
    await appendAudit(db, { actorType: 'user', actorId: user.userId, action: 'registry.transfer', target: `${req.body.supplierInn}/${req.body.date}`, details: { ...req.body } });
    return transfer;
  });

  r.get('/api/v1/registries/readings', {
    schema: { tags: ['Выгрузки'], summary: 'Реестр показаний поставщику за период', querystring: z.object({ period: z.string().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'период ГГГГ-ММ'), supplier: inn, format: z.enum(['csv', 'json']).default('csv') }) },
    config: { auth: integration('registries') },
  }, async (req, reply) => {
    const registry = await buildReadingsRegistry(db, req.query.period, req.query.supplier);
    if (req.query.format === 'json') return registry;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="readings_${registry.supplier.inn}_${registry.period}.csv"`).send(csvReadingsRegistry(registry));
  });
}
