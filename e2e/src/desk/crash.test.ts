/**
 * Kill the desk process (SIGKILL, as a power cut would) at the worst moments — before the register
 * call, after the register printed but before the journal recorded it, after the server committed but
 * before the desk heard — restart it on the same data, and prove exactly one payment on the server
 * and exactly one receipt in the register.
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

const onServer = async (opId: string): Promise<number> =>
  (await server.open.db.selectFrom('payments').select('op_id').where('op_id', '=', opId).execute()).length;

function payment(opId: string): Record<string, unknown> {
  return {
    opId,
    kind: 'billing',
    accountNumber: '1234567',
    lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 12_345 }],
    method: 'cash',
    tenderedKop: 20_000,
  };
}

describe('desk crashes at the worst moments', () => {
  it('killed before the register call: nothing printed; the retry prints once', async () => {
    const desk = await freshDesk('Касса К1');
    try {
      const opId = uuidv7();
      await desk.api.ok('POST', '/api/test/crash', { point: 'before_register', kind: 'billing' });
      await expect(desk.api.call('POST', '/api/payments', payment(opId))).rejects.toThrow();
      await desk.died();
      await desk.start();
      const after = await desk.api.ok<{ state: string }>('GET', `/api/payments/${opId}`);
      expect(after.state).toBe('failed');
      expect(await receiptsFor(desk, opId)).toBe(0);
      // The cashier presses «pay» again: the same operation, now printed once.
      const paid = await desk.api.ok<{ state: string }>('POST', '/api/payments', payment(opId));
      expect(paid.state).toBe('done');
      expect(await receiptsFor(desk, opId)).toBe(1);
      await desk.api.waitFor('sent', (s) => s.online && s.unsentCount === 0, 30_000);
      expect(await onServer(opId)).toBe(1);
    } finally {
      await desk.stop();
      removeDir(desk.dataDir);
    }
  }, 120_000);

  it('killed after the register printed, before the journal recorded it: found at start, never printed twice', async () => {
    const desk = await freshDesk('Касса К2');
    try {
      const opId = uuidv7();
      await desk.api.ok('POST', '/api/test/crash', { point: 'after_register', kind: 'billing' });
      await expect(desk.api.call('POST', '/api/payments', payment(opId))).rejects.toThrow();
      await desk.died();
      await desk.start();
      const after = await desk.api.ok<{ state: string; fiscal: { documentNumber: number } }>('GET', `/api/payments/${opId}`);
      expect(after.state).toBe('done');
      expect(await receiptsFor(desk, opId)).toBe(1);
      const again = await desk.api.ok<{ fiscal: { documentNumber: number } }>('POST', '/api/payments', payment(opId));
      expect(again.fiscal.documentNumber).toBe(after.fiscal.documentNumber);
      expect(await receiptsFor(desk, opId)).toBe(1);
      await desk.api.waitFor('sent', (s) => s.online && s.unsentCount === 0, 30_000);
      expect(await onServer(opId)).toBe(1);
    } finally {
      await desk.stop();
      removeDir(desk.dataDir);
    }
  }, 120_000);

  it('killed after the server committed, before the desk heard: the resend is a replay', async () => {
    const desk = await freshDesk('Касса К3');
    try {
      await desk.api.waitFor('shift sent', (s) => s.online && s.unsentCount === 0, 30_000);
      const opId = uuidv7();
      await desk.api.ok('POST', '/api/test/crash', { point: 'after_push_answer' });
      await desk.api.call('POST', '/api/payments', payment(opId)).catch(() => undefined);
      await desk.died();
      expect(await onServer(opId)).toBe(1);
      await desk.start();
      // The desk never recorded the answer, so it sends the op again; the server replays its answer.
      await desk.api.waitFor('sent again', (s) => s.online && s.unsentCount === 0, 30_000);
      expect(await onServer(opId)).toBe(1);
      const ops = await server.open.db.selectFrom('ops').select('op_id').where('op_id', '=', opId).execute();
      expect(ops).toHaveLength(1);
      const view = await desk.api.ok<{ sync: { state: string } }>('GET', `/api/payments/${opId}`);
      expect(view.sync.state).toBe('applied');
      expect(await receiptsFor(desk, opId)).toBe(1);
    } finally {
      await desk.stop();
      removeDir(desk.dataDir);
    }
  }, 120_000);
});

/** Issue 21: the card terminal is a second device with the register's rules — one charge, one receipt. */
describe('desk killed around the card terminal', () => {
  const cardPayment = (opId: string): Record<string, unknown> => ({ ...payment(opId), method: 'card', tenderedKop: undefined });
  const terminalOps = async (desk: DeskProcess, opId: string): Promise<{ command_id: string; state: string; amount_kop: number }[]> =>
    (await desk.api.ok<{ items: { command_id: string; state: string; amount_kop: number }[] }>('GET', '/api/test/terminal')).items.filter(
      (o) => o.command_id.startsWith(opId),
    );

  it('killed after the terminal charged, before the journal heard: at start the terminal is asked and the receipt printed once', async () => {
    const desk = await freshDesk('Касса К-карта-1');
    try {
      const opId = uuidv7();
      await desk.api.ok('POST', '/api/test/crash', { point: 'after_terminal' });
      await expect(desk.api.call('POST', '/api/payments', cardPayment(opId))).rejects.toThrow();
      await desk.died();
      await desk.start();
      const after = await desk.api.waitForPayment(opId, (p) => p.state === 'done');
      expect(after.card?.rrn).toMatch(/^\d{12}$/);
      expect(await receiptsFor(desk, opId)).toBe(1);
      const charged = (await terminalOps(desk, opId)).filter((o) => o.state === 'approved');
      expect(charged).toHaveLength(1);
      // The cashier presses «pay» again: the same payment, no second charge, no second receipt.
      await desk.api.ok('POST', '/api/payments', cardPayment(opId));
      expect((await terminalOps(desk, opId)).filter((o) => o.state === 'approved')).toHaveLength(1);
      expect(await receiptsFor(desk, opId)).toBe(1);
      await desk.api.waitFor('sent', (s) => s.online && s.unsentCount === 0, 30_000);
      expect(await onServer(opId)).toBe(1);
    } finally {
      await desk.stop();
      removeDir(desk.dataDir);
    }
  }, 120_000);

  it('killed before the terminal was asked: nothing charged, no receipt; the retry charges once', async () => {
    const desk = await freshDesk('Касса К-карта-2');
    try {
      const opId = uuidv7();
      await desk.api.ok('POST', '/api/test/crash', { point: 'before_terminal' });
      await expect(desk.api.call('POST', '/api/payments', cardPayment(opId))).rejects.toThrow();
      await desk.died();
      await desk.start();
      const after = await desk.api.ok<{ state: string }>('GET', `/api/payments/${opId}`);
      expect(after.state).toBe('failed');
      expect(await receiptsFor(desk, opId)).toBe(0);
      expect((await terminalOps(desk, opId)).filter((o) => o.state === 'approved')).toHaveLength(0);
      const paid = await desk.api.ok<{ state: string }>('POST', '/api/payments', cardPayment(opId));
      expect(paid.state).toBe('done');
      expect((await terminalOps(desk, opId)).filter((o) => o.state === 'approved')).toHaveLength(1);
      expect(await receiptsFor(desk, opId)).toBe(1);
    } finally {
      await desk.stop();
      removeDir(desk.dataDir);
    }
  }, 120_000);
});
