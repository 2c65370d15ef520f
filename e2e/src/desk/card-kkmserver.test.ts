/**
 * Issue 21: the desk's card terminal through KKMServer's acquiring commands, against tools/acquiring-sim
 * (its own bank ledger is the truth of what was charged): an outcome KKMServer forgot is reversed on the
 * terminal, a card charged when the register then refused gets its receipt before anything else is
 * charged, and the settlement's slip stands in the shift report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { startAcquiringSim, type AcquiringSim } from '@paydesk/acquiring-sim';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let sim: AcquiringSim;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  sim = await startAcquiringSim();
  desk = await startTestDesk(server, { terminal: { driver: 'kkmserver', url: sim.url } });
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  if (desk) removeDir(desk.dataDir);
  await sim?.stop();
  await server?.close();
});

const sale = (opId: string) => ({ opId, kind: 'service', items: [{ code: 'COPY_A4', quantity: 3 }], method: 'card' });
const receipts = async (opId: string): Promise<number> =>
  (await desk.api.ok<{ items: { operationId: string }[] }>('GET', '/api/test/receipts')).items.filter((r) => r.operationId === opId).length;

describe('card payments through KKMServer', () => {
  it('charged, then KKMServer forgot the command: the desk reverses it on the terminal, receipts nothing, and the retry charges once', async () => {
    const opId = uuidv7();
    const before = sim.netChargedKop();
    sim.present({ behaviour: 'charge_then_forget' });
    const r = await desk.api.call<{ code: string; detail: string }>('POST', '/api/payments', sale(opId));
    expect(r.body.code).toBe('card.reversed');
    expect(r.body.detail).toContain('аварийная отмена');
    expect(sim.netChargedKop()).toBe(before);
    expect(await receipts(opId)).toBe(0);
    const paid = await desk.api.ok<{ state: string; totalKop: number }>('POST', '/api/payments', sale(opId));
    expect(paid.state).toBe('done');
    expect(sim.netChargedKop()).toBe(before + paid.totalKop);
    expect(await receipts(opId)).toBe(1);
  });

  it('the register refused after the card was charged: no other card is charged until that payment has its receipt', async () => {
    const opId = uuidv7();
    const before = sim.netChargedKop();
    await desk.api.ok('POST', '/api/test/register', { cover: true });
    const r = await desk.api.call<{ code: string }>('POST', '/api/payments', sale(opId));
    expect(r.body.code).toBe('fiscal.cover_open');
    const charged = sim.netChargedKop() - before;
    expect(charged).toBeGreaterThan(0);
    // A new payment (a new id) for the same payer would charge them twice: refused, nothing sent.
    const sent = sim.received().length;
    const other = await desk.api.call<{ code: string; reason: string }>('POST', '/api/payments', sale(uuidv7()));
    expect(other.status).toBe(409);
    expect(other.body.reason).toBe('card_charged_without_receipt');
    expect(sim.received().length).toBe(sent);
    // The cover closed, the desk finishes it: the receipt, no second charge.
    await desk.api.ok('POST', '/api/test/register', { cover: false });
    const done = await desk.api.ok<{ finished: number }>('POST', '/api/card/recover', {});
    expect(done.finished).toBe(1);
    expect(await receipts(opId)).toBe(1);
    expect(sim.netChargedKop() - before).toBe(charged);
  });

  it('the settlement through KKMServer gives its slip; with no totals to compare, the report says so', async () => {
    const s = await desk.api.ok<{ terminal: unknown; matches: boolean | null; slip: string[]; journal: { payCount: number } }>(
      'POST',
      '/api/card/settlement',
      {},
    );
    expect(s.terminal).toBeNull();
    expect(s.matches).toBeNull();
    expect(s.slip.join('\n')).toContain('СВЕРКА ИТОГОВ');
    expect(s.journal.payCount).toBe(2);
  });
});
