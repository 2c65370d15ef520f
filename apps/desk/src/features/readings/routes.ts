/** Meter readings handed in at the desk, checked as the server will check them. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { readingRequest } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { submitReading } from './submit.ts';

export function readingRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/readings',
    { schema: { tags: ['Показания'], summary: 'Показание счётчика с проверками', body: readingRequest } },
    async (req, reply) => reply.code(201).send(submitReading(deps, requireCashier(req), req.body)),
  );
}
