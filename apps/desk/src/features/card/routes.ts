/** The card terminal at the desk: settlement, the commands whose outcome is unknown, a senior's word on one. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../deps.ts';
import { requireCashier } from '../../http/auth.ts';
import { runSettlement } from './settlement.ts';
import { finishCharged } from './recovery.ts';

const settleBody = z.discriminatedUnion('charged', [
  z.object({
    charged: z.literal(true),
    rrn: z.string().regex(/^\d{12}$/, 'RRN — 12 цифр с чека терминала'),
    authCode: z.string().regex(/^[0-9A-Za-z]{2,8}$/, 'код авторизации — от 2 до 8 латинских букв и цифр'),
  }),
  z.object({ charged: z.literal(false) }),
]);

export function cardRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/card', { schema: { tags: ['Карты'], summary: 'Терминал и операции по карте с неизвестным исходом' } }, async (req) => {
    requireCashier(req);
    return {
      terminal: deps.terminal.describe,
      open: deps.cards.open().map((c) => ({
        commandId: c.command_id,
        opId: c.op_id,
        operation: c.operation,
        amountKop: c.amount_kop,
        state: c.state,
        reason: c.reason,
        at: c.created_at,
      })),
      chargedWithoutReceipt: deps.cards.orphans().map((c) => ({ opId: c.op_id, amountKop: c.amount_kop })),
    };
  });
  r.post('/api/card/settlement', { schema: { tags: ['Карты'], summary: 'Сверка итогов на терминале' } }, async (req) => {
    requireCashier(req);
    return runSettlement(deps);
  });
  r.post(
    '/api/card/recover',
    { schema: { tags: ['Карты'], summary: 'Спросить терминал об операциях с неизвестным исходом и допробить чеки' } },
    async (req) => {
      requireCashier(req);
      return finishCharged(deps);
    },
  );
  r.post(
    '/api/card/charges/:commandId/settle',
    {
      schema: {
        tags: ['Карты'],
        summary: 'Старший кассир: исход операции по карте по чеку терминала',
        params: z.object({ commandId: z.string().min(1).max(60) }),
        body: settleBody,
      },
    },
    async (req) => {
      const senior = requireCashier(req, ['senior_cashier', 'admin']);
      const row = await deps.runner.read(async () => {
        await deps.cards.recover();
        const still = deps.cards.open().find((c) => c.command_id === req.params.commandId);
        // The terminal asked once more may answer now: its word beats a person's.
        if (!still) return null;
        return deps.cards.settleByHand(req.params.commandId, req.body, senior.id);
      });
      deps.log.warn({ commandId: req.params.commandId, by: senior.id, charged: req.body.charged }, 'card charge settled by hand');
      return { ok: true, settledByHand: row !== null, state: row?.state ?? null };
    },
  );
}
