/** Reversing a payment with a return receipt (a senior's approval where the policy asks for it). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { reversalRequest } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { reversePayment } from './reverse.ts';

export function reversalRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/reversals',
    { schema: { tags: ['Сторно'], summary: 'Сторно платежа чеком возврата', body: reversalRequest } },
    async (req, reply) => reply.code(201).send(await reversePayment(deps, requireCashier(req), req.body)),
  );
}
