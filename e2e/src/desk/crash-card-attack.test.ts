/**
 * Attack on issue 21: the desk killed right after the terminal returned a card payment's money (a
 * reversal), before the return receipt. Helpers copied from crash.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { DeskProcess } from '../desk-process.ts';
import { freshDesk as freshDeskOf, receiptsFor } from '../desk-process.ts';
import { removeDir, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

const freshDesk = (name: string): Promise<DeskProcess> => freshDeskOf(server, name);

interface TerminalOp {
  command_id: string;
  operation: string;
  amount_kop: number;
  state: string;
  original_rrn: string | null;
}

describe('ATTACK: desk killed after the terminal refunded a card payment, before the return receipt', () => {
  it('at start the refund is finished with its return receipt, and a new reversal never refunds the card again', async () => {
    const desk = await freshDesk('Касса К-карта-возврат');
    try {
      const opId = uuidv7();
      const paid = await desk.api.ok<{ totalKop: number; card: { rrn: string } }>('POST', '/api/payments', {
        opId,
        kind: 'service',
        items: [{ code: 'COPY_A4', quantity: 2 }],
        method: 'card',
      });
      await desk.api.ok('POST', '/api/test/crash', { point: 'after_terminal' });
      const firstReversal = uuidv7();
      await expect(desk.api.call('POST', '/api/reversals', { opId: firstReversal, paymentId: opId, reason: 'Ошибка' })).rejects.toThrow();
      await desk.died();
      await desk.start();
      // Give the start-up recovery (register, then terminal) time to finish.
      for (let i = 0; i < 100; i++) {
        const c = await desk.api.ok<{ open: unknown[] }>('GET', '/api/card');
        if (c.open.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1000));
      const backOps = async (): Promise<TerminalOp[]> =>
        (await desk.api.ok<{ items: TerminalOp[] }>('GET', '/api/test/terminal')).items.filter(
          (o) => o.original_rrn === paid.card.rrn && o.state === 'approved',
        );
      const afterStart = { refunds: (await backOps()).length, returnReceipts: await receiptsFor(desk, firstReversal) };
      // The cashier's dialog died with the desk: the reversal is asked again, under a new id.
      const again = await desk.api.call<{ state?: string; code?: string; reversalId?: string }>('POST', '/api/reversals', {
        opId: uuidv7(),
        paymentId: opId,
        reason: 'Ошибка',
      });
      const refunded = (await backOps()).reduce((s, o) => s + o.amount_kop, 0);
      expect({ afterStart, again: again.body.state ?? again.body.code, refundedKop: refunded }).toEqual({
        afterStart: { refunds: 1, returnReceipts: 1 },
        again: expect.anything(),
        refundedKop: paid.totalKop,
      });
    } finally {
      await desk.stop();
      removeDir(desk.dataDir);
    }
  }, 120_000);
});
