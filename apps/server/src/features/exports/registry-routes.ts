/** Registries beside the day's payments: the transfer that paid a supplier's day, the readings registry. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { AppError, batchClosed, batchDetail, batchList, readingsRegistryAnswer, transferAnswer } from '@paydesk/protocol';
import { integration, requireUser } from '../../http/auth.ts';
import { answers, fileAnswer } from '../../http/openapi.ts';
import { REGISTRY_FILES, supplierKey } from './routes.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { buildRegistry, recordTransfer } from './registry.ts';
import { registryAnswer } from './registry-formats.ts';
import { buildReadingsRegistry, csvReadingsRegistry } from './readings-registry.ts';
import { batchDetails, closeDay, listBatches, pointIdOf } from './batches.ts';

const inn = z.string().regex(/^(\d{10}|\d{12})$/, 'ИНН: 10 или 12 цифр');
/** A point as an integrator names it: its id or its code (P1). */
const pointKey = z.string().trim().min(1).max(64);

export function registryRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.put(
    '/api/v1/registries/transfers',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Платёжное поручение, которым перечислены деньги поставщику за день: реестры дня показывают его номер и дату',
        body: z.object({
          supplierInn: inn,
          date: z.iso.date(),
          orderNumber: z.string().trim().min(1).max(32),
          orderDate: z.iso.date(),
          amountKop: z.number().int().min(0).max(1_000_000_000_000),
        }),
        response: answers({ 200: transferAnswer }, ['validation.failed', 'request.malformed', 'not_found']),
      },
      config: { auth: integration('registries') },
    },
    async (req) => {
      const user = requireUser(req.principal);
      const transfer = await recordTransfer(db, req.body, user.login);
      await appendAudit(db, {
        actorType: 'user',
        actorId: user.userId,
        action: 'registry.transfer',
        target: `${req.body.supplierInn}/${req.body.date}`,
        details: { ...req.body },
      });
      return transfer;
    },
  );

  r.post(
    '/api/v1/points/:pointId/days/:date/close',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Закрыть день пункта: пачка платежей и сторно дня с итогами (повторное закрытие — корректирующая пачка)',
        params: z.object({ pointId: pointKey.describe('id пункта или его код'), date: z.iso.date() }),
        body: z.object({ force: z.boolean().optional().describe('закрыть, хотя смены касс пункта открыты') }).nullish(),
        response: answers({ 200: batchClosed }, ['validation.failed', 'request.malformed', 'not_found', 'conflict']),
      },
      config: { auth: integration('registries') },
    },
    async (req) => {
      const user = requireUser(req.principal);
      const pointId = await pointIdOf(db, req.params.pointId);
      const force = req.body?.force === true;
      const batch = await closeDay(db, pointId, req.params.date, user.login, { force });
      await appendAudit(db, {
        actorType: 'user',
        actorId: user.userId,
        action: 'day.close',
        target: `${pointId}/${req.params.date}`,
        details: { batchId: batch.id, number: batch.number, kind: batch.kind, ...(force ? { force } : {}) },
      });
      return batch;
    },
  );

  r.get(
    '/api/v1/batches',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Пачки оплат',
        querystring: z.object({ day: z.iso.date().optional(), point: pointKey.optional().describe('id пункта или его код') }),
        response: answers({ 200: batchList }, ['validation.failed']),
      },
      config: { auth: integration('registries') },
    },
    async (req) => ({
      items: await listBatches(db, {
        day: req.query.day,
        pointId: req.query.point === undefined ? undefined : await pointIdOf(db, req.query.point),
      }),
    }),
  );

  r.get(
    '/api/v1/batches/:id/registry',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Реестр платежей пачки поставщику (сторно — отрицательными строками)',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ supplier: supplierKey, format: z.enum(['sber', 'csv', 'xlsx', 'json']).default('sber') }),
        response: answers({ 200: REGISTRY_FILES }, ['validation.failed', 'not_found']),
      },
      config: { auth: integration('registries') },
    },
    async (req, reply) => {
      const batch = await db
        .selectFrom('batches')
        .select(['id', 'day', 'number', 'kind', 'frozen'])
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!batch) throw new AppError('not_found', 'Пачка не найдена');
      const registry = await buildRegistry(db, batch.day, req.query.supplier, batch);
      const answer = await registryAnswer(registry, req.query.format, `registry_${registry.supplier.inn}_${batch.day}_${batch.number}`);
      if (answer.fileName === null) return answer.body;
      return reply.type(answer.type).header('content-disposition', `attachment; filename="${answer.fileName}"`).send(answer.body);
    },
  );

  r.get(
    '/api/v1/batches/:id',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Пачка: итоги и операции',
        params: z.object({ id: z.uuid() }),
        response: answers({ 200: batchDetail }, ['validation.failed', 'not_found']),
      },
      config: { auth: integration('registries') },
    },
    async (req) => batchDetails(db, req.params.id),
  );

  r.get(
    '/api/v1/registries/readings',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Реестр показаний поставщику за период',
        querystring: z.object({
          period: z.string().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'период ГГГГ-ММ'),
          supplier: inn,
          format: z.enum(['csv', 'json']).default('csv'),
        }),
        response: answers(
          {
            200: {
              description: 'Реестр показаний: format=json — данные, csv — файл (UTF-8 с BOM, «;»)',
              content: { 'application/json': { schema: readingsRegistryAnswer }, 'text/csv': { schema: fileAnswer('format=csv') } },
            },
          },
          ['validation.failed', 'not_found'],
        ),
      },
      config: { auth: integration('registries') },
    },
    async (req, reply) => {
      const registry = await buildReadingsRegistry(db, req.query.period, req.query.supplier);
      if (req.query.format === 'json') return registry;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="readings_${registry.supplier.inn}_${registry.period}.csv"`)
        .send(csvReadingsRegistry(registry));
    },
  );
}
