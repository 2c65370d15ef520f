/** API keys in the back office: an administrator creates (the key shown once), lists and revokes them. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiKeyCreated, apiKeyList, apiScope, okAnswer } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { ADMIN, requireUser } from '../../http/auth.ts';
import { answers } from '../../http/openapi.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';

export const newApiKeyBody = z.object({
  name: z.string().trim().min(1).max(100).describe('Кому и для чего ключ: «Биллинг Эксперт, лента»'),
  scopes: z
    .array(apiScope)
    .min(1)
    .max(5)
    .refine((s) => new Set(s).size === s.length, 'области не должны повторяться')
    .describe('Области ключа: read, feed, imports, registries, reconcile'),
  expiresAt: z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .nullable()
    .optional()
    .describe(
      'До какого момента ключ действует (время со смещением, или дата — начало этого дня в часовом поясе организации); без него — бессрочно',
    ),
});

export function apiKeyRoutes(app: FastifyInstance, db: Database, now: () => Date): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['API-ключи'],
        summary: 'Создать API-ключ: ключ показывается один раз',
        body: newApiKeyBody,
        response: answers({ 201: apiKeyCreated }, ['validation.failed', 'request.malformed']),
      },
      config: { auth: ADMIN },
    },
    async (req, reply) => {
      const admin = requireUser(req.principal);
      return reply.code(201).send(await createApiKey(db, req.body, { type: 'user', id: admin.userId }, now()));
    },
  );

  r.get(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['API-ключи'],
        summary: 'API-ключи: области, срок, последнее использование (без самих ключей)',
        response: answers({ 200: apiKeyList }),
      },
      config: { auth: ADMIN },
    },
    async () => ({ items: await listApiKeys(db, now()) }),
  );

  r.post(
    '/api/v1/api-keys/:id/revoke',
    {
      schema: {
        tags: ['API-ключи'],
        summary: 'Отозвать API-ключ: он сразу получает 401',
        params: z.object({ id: z.uuid() }),
        response: answers({ 200: okAnswer }, ['validation.failed', 'not_found']),
      },
      config: { auth: ADMIN },
    },
    async (req) => {
      const admin = requireUser(req.principal);
      await revokeApiKey(db, req.params.id, { type: 'user', id: admin.userId }, now());
      return { ok: true as const };
    },
  );
}
