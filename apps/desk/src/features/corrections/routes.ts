/** Correction receipts (чек коррекции) from the register menu, by a senior cashier. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { correctionRequest } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { makeCorrection } from './correct.ts';

export function correctionRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/corrections',
    { schema: { tags: ['ККМ'], summary: 'Чек коррекции (старший кассир): приход или возврат без чека', body: correctionRequest } },
    async (req, reply) => reply.code(201).send(await makeCorrection(deps, requireCashier(req), req.body)),
  );
}
