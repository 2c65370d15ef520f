/** What the barcode scanner read: a bill's QR (ГОСТ Р 56042) becomes an account and a sum. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { scanRequest, scanView } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { resolveScan } from './scan.ts';

export function scanRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/scan',
    {
      schema: {
        tags: ['Сканер'],
        summary: 'Что отсканировано: QR квитанции → счёт и сумма',
        body: scanRequest,
        response: { 200: scanView },
      },
    },
    async (req) => {
      requireCashier(req);
      return resolveScan(deps.db, req.body.text, {
        org: { name: deps.settings.get('orgName') ?? null, inn: deps.settings.get('orgInn') ?? null },
        now: deps.clock(),
        // Offline, the journal is all there is: no waiting for a server known to be away.
        serverPayments: (q) => (deps.sync.state.online ? deps.client.billPayments(q) : Promise.reject(new Error('offline'))),
      });
    },
  );
}
