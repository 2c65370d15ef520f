/**
 * Attack on issue 21 (virtual terminal): money back to the card exactly once, and always possible.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;

interface TerminalOp {
  command_id: string;
  operation: string;
  amount_kop: number;
  state: string;
  rrn: string;
  original_rrn: string | null;
}
type Desk = Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const sale = (opId: string, quantity = 1) => ({ opId, kind: 'service', items: [{ code: 'COPY_A4', quantity }], method: 'card' });
const terminalOps = async (d: Desk): Promise<TerminalOp[]> => (await d.api.ok<{ items: TerminalOp[] }>('GET', '/api/test/terminal')).items;
const returnReceipts = async (d: Desk): Promise<{ operationId: string; kind: string; cardKop: number }[]> =>
  (await d.api.ok<{ items: { operationId: string; kind: string; cardKop: number }[] }>('GET', '/api/test/receipts')).items.filter(
    (r) => r.kind === 'sale_return',
  );

async function started(dataDir?: string): Promise<Desk> {
  const d = await startTestDesk(server, dataDir ? { dataDir } : {});
  await d.api.waitFor('online', (s) => s.reference.loaded && s.online);
  await d.api.login();
  return d;
}

describe('ATTACK: a card reversal whose return receipt the register refused', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await started();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
  }, 60_000);
  afterAll(async () => {
    await desk?.stop();
    if (desk) removeDir(desk.dataDir);
  });

  it('the cashier reopens the reversal dialog (a new op id): the card is refunded once, and the refund gets its return receipt', async () => {
    const opId = uuidv7();
    const paid = await desk.api.ok<{ totalKop: number; card: { rrn: string } }>('POST', '/api/payments', sale(opId, 2));
    // The register's cover is open when the return receipt is due: the card was already refunded.
    await desk.api.ok('POST', '/api/test/register', { cover: true });
    const first = await desk.api.call<{ code: string }>('POST', '/api/reversals', { opId: uuidv7(), paymentId: opId, reason: 'Ошибка' });
    expect(first.body.code).toBe('fiscal.cover_open');
    await desk.api.ok('POST', '/api/test/register', { cover: false });
    // The dialog is opened again, as a new reversal.
    const second = await desk.api.call<{ state: string; reversalId: string }>('POST', '/api/reversals', {
      opId: uuidv7(),
      paymentId: opId,
      reason: 'Ошибка',
    });
    const back = (await terminalOps(desk)).filter((o) => o.original_rrn === paid.card.rrn && o.state === 'approved');
    const refundedKop = back.reduce((s, o) => s + o.amount_kop, 0);
    // Exactly once back to the card…
    expect({ backOps: back.length, refundedKop }).toEqual({ backOps: 1, refundedKop: paid.totalKop });
    // …and that refund has its return receipt.
    expect(second.body.state).toBe('done');
    expect((await returnReceipts(desk)).filter((r) => r.operationId === second.body.reversalId)).toHaveLength(1);
  });
});

describe('ATTACK: the journal restored from a copy older than the terminal’s settlement', () => {
  let desk: Desk | null = null;
  const dirs: string[] = [];
  afterEach(async () => {
    if (desk) {
      await desk.stop();
      removeDir(desk.dataDir);
      desk = null;
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const JOURNAL = ['journal.sqlite', 'journal.sqlite-wal', 'journal.sqlite-shm'];
  const copyJournal = (from: string, to: string): void => {
    for (const f of JOURNAL) {
      if (existsSync(join(from, f))) copyFileSync(join(from, f), join(to, f));
      else rmSync(join(to, f), { force: true });
    }
  };

  it('a reversal of a payment made before the (forgotten) settlement still returns the money to the card', async () => {
    desk = await started();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const opId = uuidv7();
    const paid = await desk.api.ok<{ totalKop: number; card: { rrn: string } }>('POST', '/api/payments', sale(opId, 3));
    const dataDir = desk.dataDir;
    const backup = mkdtempSync(join(tmpdir(), 'paydesk-card-backup-'));
    dirs.push(backup);
    await desk.stop();
    copyJournal(dataDir, backup);
    desk = await started(dataDir);
    // Сверка итогов closes the terminal's day; then the journal is put back from the older copy.
    await desk.api.ok('POST', '/api/card/settlement', {});
    await desk.stop();
    copyJournal(backup, dataDir);
    desk = await started(dataDir);
    const tries: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await desk.api.call<{ state?: string; code?: string; detail?: string }>('POST', '/api/reversals', {
        opId: uuidv7(),
        paymentId: opId,
        reason: 'Ошибка',
      });
      tries.push(r.body.state ?? `${r.body.code}: ${r.body.detail}`);
    }
    const back = (await terminalOps(desk)).filter((o) => o.original_rrn === paid.card.rrn && o.state === 'approved');
    expect(tries[0], JSON.stringify(tries)).toBe('done');
    expect(back.reduce((s, o) => s + o.amount_kop, 0)).toBe(paid.totalKop);
  });
});
