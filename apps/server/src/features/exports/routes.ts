/** The billing's side: the feed of final operations, its acknowledgement, and daily registries. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { feedAckAnswer, feedPage, isUuid, supplierRegistry } from '@paydesk/protocol';
import { integration, requireUser } from '../../http/auth.ts';
import { answers, fileAnswer } from '../../http/openapi.ts';
import { ackFeed, readFeed } from './feed.ts';
import { buildRegistry } from './registry.ts';
import { registryAnswer } from './registry-formats.ts';

/** A supplier's registry as `format` asks: JSON, or a file to download. */
export const REGISTRY_FILES = {
  description: 'Реестр: format=json — данные; sber — текст Сбербанка в Windows-1251; csv — UTF-8; xlsx — книга Excel',
  content: {
    'application/json': { schema: supplierRegistry },
    'text/plain': { schema: fileAnswer('format=sber: текстовый реестр Сбербанка, windows-1251, «;», итоговая строка «=…»') },
    'text/csv': { schema: fileAnswer('format=csv: UTF-8, «;»') },
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: fileAnswer('format=xlsx') },
  },
};

/** A supplier as an integrator names it: its ИНН, or its id in the catalog. */
export const supplierKey = z.string().refine((v) => /^(\d{10}|\d{12})$/.test(v) || isUuid(v), 'поставщик: ИНН (10 или 12 цифр) или id');

export function exportRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/billing/feed',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Лента платежей, сторно и показаний после позиции after',
        querystring: z.object({
          after: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
        }),
        response: answers({ 200: feedPage }, ['validation.failed', 'feed.cursor_ahead']),
      },
      config: { auth: integration('feed') },
    },
    async (req) => readFeed(db, req.query.after, req.query.limit),
  );

  r.post(
    '/api/v1/billing/feed/ack',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Подтвердить, что лента принята до позиции',
        body: z.object({
          consumer: z
            .string()
            .regex(/^[a-z0-9_-]{1,32}$/)
            .default('billing'),
          position: z.number().int().min(0),
        }),
        response: answers({ 200: feedAckAnswer }, ['validation.failed', 'request.malformed']),
      },
      config: { auth: integration('feed') },
    },
    async (req) => {
      requireUser(req.principal);
      return ackFeed(db, req.body.consumer, req.body.position);
    },
  );

  r.get(
    '/api/v1/registries',
    {
      schema: {
        tags: ['Выгрузки'],
        summary: 'Реестр платежей поставщику за день',
        querystring: z.object({
          date: z.iso.date(),
          supplier: supplierKey,
          format: z.enum(['sber', 'csv', 'xlsx', 'json']).default('sber'),
        }),
        response: answers({ 200: REGISTRY_FILES }, ['validation.failed', 'not_found']),
      },
      config: { auth: integration('registries') },
    },
    async (req, reply) => {
      const registry = await buildRegistry(db, req.query.date, req.query.supplier);
      const answer = await registryAnswer(registry, req.query.format, `registry_${registry.supplier.inn}_${registry.date}`);
      if (answer.fileName === null) return answer.body;
      return reply.type(answer.type).header('content-disposition', `attachment; filename="${answer.fileName}"`).send(answer.body);
    },
  );
}
